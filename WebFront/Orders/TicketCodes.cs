using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using TicketFlow.Data.Orders;
using TicketFlow.Domain.Security;

namespace TicketFlow.WebFront.Orders;

/// <summary>
/// The code printed on a ticket: <c>{ticketId}.{version}.{signature}</c>, the signature an HMAC over
/// <c>ticket:{ticketId}:{version}</c>, so a door scanner can tell a forged code without a lookup. A reserved seat's code also
/// carries the seat: <c>{ticketId}.{version}.{section}.{row}.{number}.{signature}</c>, each label base64url (UTF-8, no padding)
/// and signed with the rest (<c>ticket:{ticketId}:{version}:{section}:{row}:{number}</c>). Codes without a seat, as signed
/// before seats existed, verify as they always did.
/// </summary>
public sealed class TicketCodes(SigningKey key)
{
    // A ticket id (100), a version, three labels of at most 40 characters (4 UTF-8 bytes each, base64: 214 characters) and a signature.
    private const int MaxLength = 1_000;

    public string Sign(string ticketId, int version, SeatLabels? seat = null)
    {
        if (!IsTicketId(ticketId)) throw new ArgumentException("Ticket ids are letters, digits, '_' and '-'.", nameof(ticketId));
        if (version < 1) throw new ArgumentOutOfRangeException(nameof(version), version, "Versions start at 1.");
        string[] parts = seat is null
            ? [ticketId, version.ToString(CultureInfo.InvariantCulture)]
            : [ticketId, version.ToString(CultureInfo.InvariantCulture), Encode(seat.Section), Encode(seat.Row), Encode(seat.Number)];
        var code = $"{string.Join('.', parts)}.{key.Sign(Payload(parts))}";
        if (code.Length > MaxLength) throw new ArgumentException($"A seat's labels make a code longer than {MaxLength} characters.", nameof(seat));
        return code;
    }

    public string Sign(Ticket ticket) => Sign(ticket.Id, ticket.Version,
        ticket.ReservedSeat is { } seat ? new SeatLabels(seat.Section, seat.Row, seat.Number) : null);

    /// <summary>The ticket, version and seat a genuine code names; null for anything tampered with or not a code at all.</summary>
    public TicketCode? Verify(string? code)
    {
        if (string.IsNullOrEmpty(code) || code.Length > MaxLength) return null;
        var parts = code.Split('.');
        if (parts.Length is not (3 or 6) || !IsTicketId(parts[0])) return null;
        if (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var version) || version < 1
            || parts[1] != version.ToString(CultureInfo.InvariantCulture)) return null;
        // Compare the canonical text, not decoded bytes: base64 padding bits would let one signature have several spellings.
        var expected = Encoding.ASCII.GetBytes(key.Sign(Payload(parts[..^1])));
        var given = Encoding.ASCII.GetBytes(parts[^1]);
        if (!CryptographicOperations.FixedTimeEquals(expected, given)) return null;
        if (parts.Length == 3) return new TicketCode(parts[0], version);
        // Signed by us, so the labels decode; refuse rather than trust anything else.
        return Decode(parts[2]) is { } section && Decode(parts[3]) is { } row && Decode(parts[4]) is { } number
            ? new TicketCode(parts[0], version, new SeatLabels(section, row, number))
            : null;
    }

    private static string Payload(string[] parts) => "ticket:" + string.Join(':', parts);

    private static string Encode(string label) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(label));

    private static string? Decode(string part)
    {
        if (part.Length == 0 || !Base64Url.IsValid(part)) return null;
        try
        {
            return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(Base64Url.DecodeFromChars(part));
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    private static bool IsTicketId(string value) =>
        value.Length is > 0 and <= 100 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');
}
