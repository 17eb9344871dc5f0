using System.Globalization;

namespace TicketFlow.WebFront.Site;

/// <summary>How the server-rendered pages write money and times (the scripts localize times once they run).</summary>
public static class Display
{
    public static string Money(long minor, string currency)
    {
        var amount = (minor / 100m).ToString(minor % 100 == 0 ? "#,0" : "#,0.00", CultureInfo.InvariantCulture);
        return currency switch
        {
            "USD" => "$" + amount,
            "EUR" => "€" + amount,
            "GBP" => "£" + amount,
            _ => $"{amount} {currency}",
        };
    }

    public static string PriceRange(long minMinor, long maxMinor, string currency) =>
        minMinor == maxMinor ? Money(minMinor, currency) : $"{Money(minMinor, currency)} – {Money(maxMinor, currency)}";

    /// <summary>UTC, so the cached bytes are the same for everyone; the page's script shows the reader's local time.</summary>
    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("ddd d MMM yyyy, HH:mm 'UTC'", CultureInfo.InvariantCulture);

    public static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
