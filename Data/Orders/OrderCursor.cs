using System.Buffers.Text;
using System.Text;

namespace TicketFlow.Data.Orders;

/// <summary>Where a page of a user's orders ended (newest first): the last order's creation time and id, opaque to clients.</summary>
public sealed record OrderCursor(long CreatedAtMs, string Id)
{
    public string Encode() => Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{CreatedAtMs}|{Id}"));

    public static OrderCursor? TryDecode(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor) || cursor.Length > 200) return null;
        try
        {
            var parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor)).Split('|', 2);
            return parts.Length == 2 && long.TryParse(parts[0], System.Globalization.NumberStyles.AllowLeadingSign, null, out var createdAt) && parts[1].Length > 0
                ? new OrderCursor(createdAt, parts[1])
                : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
