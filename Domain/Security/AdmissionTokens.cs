using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace TicketFlow.Domain.Security;

/// <summary>
/// Signed, expiring proof that a user was admitted to a high-demand event: <c>payload.signature</c> where the payload
/// names the event, the user and the expiry. Verified with the key alone, no grain call.
/// </summary>
public sealed class AdmissionTokens(SigningKey key)
{
    public string Issue(string eventId, string userId, DateTimeOffset expiresAt)
    {
        var payload = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(
            $"{eventId}\n{userId}\n{expiresAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)}"));
        return $"{payload}.{key.Sign("admission:" + payload)}";
    }

    /// <returns>True only for an untampered token of this event and user that has not expired.</returns>
    public bool Verify(string? token, string eventId, string userId, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 1000) return false;
        var dot = token.IndexOf('.');
        if (dot <= 0 || !key.Verify("admission:" + token[..dot], token[(dot + 1)..])) return false;
        string[] parts;
        try { parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token.AsSpan(0, dot))).Split('\n'); }
        catch (FormatException) { return false; }
        return parts.Length == 3 && parts[0] == eventId && parts[1] == userId
            && long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var expiresMs)
            && DateTimeOffset.FromUnixTimeMilliseconds(expiresMs) > now;
    }
}
