using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using TicketFlow.Data.Orders;
using TicketFlow.Domain.Security;

namespace TicketFlow.WebFront.Orders;

/// <summary>
/// The code printed on a ticket: <c>{ticketId}.{version}.{signature}</c>, the signature an HMAC over
/// <c>ticket:{ticketId}:{version}</c>, so a door scanner can tell a forged code without a lookup.
/// </summary>
public sealed class TicketCodes(SigningKey key)
{
    private const int MaxLength = 200;

    public string Sign(string ticketId, int version)
    {
        if (!IsTicketId(ticketId)) throw new ArgumentException("Ticket ids are letters, digits, '_' and '-'.", nameof(ticketId));
        if (version < 1) throw new ArgumentOutOfRangeException(nameof(version), version, "Versions start at 1.");
        return $"{ticketId}.{version.ToString(CultureInfo.InvariantCulture)}.{key.Sign(Payload(ticketId, version))}";
    }

    public string Sign(Ticket ticket) => Sign(ticket.Id, ticket.Version);

    /// <summary>The ticket and version a genuine code names; null for anything tampered with or not a code at all.</summary>
    public TicketCode? Verify(string? code)
    {
        if (string.IsNullOrEmpty(code) || code.Length > MaxLength) return null;
        var parts = code.Split('.');
        if (parts.Length != 3 || !IsTicketId(parts[0])) return null;
        if (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var version) || version < 1
            || parts[1] != version.ToString(CultureInfo.InvariantCulture)) return null;
        // Compare the canonical text, not decoded bytes: base64 padding bits would let one signature have several spellings.
        var expected = Encoding.ASCII.GetBytes(key.Sign(Payload(parts[0], version)));
        var given = Encoding.ASCII.GetBytes(parts[2]);
        return CryptographicOperations.FixedTimeEquals(expected, given) ? new TicketCode(parts[0], version) : null;
    }

    private static string Payload(string ticketId, int version) => $"ticket:{ticketId}:{version.ToString(CultureInfo.InvariantCulture)}";

    private static bool IsTicketId(string value) =>
        value.Length is > 0 and <= 100 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');
}
