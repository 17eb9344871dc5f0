using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace TicketFlow.WebFront.Purchases;

/// <summary>
/// A hold id is <c>{eventId}.{hash of user and Idempotency-Key}</c>: a retried request names the same hold, so the
/// grains can dedupe it even when the first attempt's reply was lost; the event part routes reads to the right grain.
/// </summary>
public static class HoldIds
{
    public static string For(string eventId, string userId, string idempotencyKey) =>
        $"{eventId}.{WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.UTF8.GetBytes($"{userId}\n{idempotencyKey}")))[..22]}";

    public static string? EventOf(string holdId)
    {
        var dot = holdId.LastIndexOf('.');
        return dot > 0 && holdId.Length <= 200 ? holdId[..dot] : null;
    }
}
