using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace TicketFlow.WebFront.Accounts;

/// <summary>
/// What a bearer token decrypted to, remembered for <see cref="AccountSessionOptions.TokenCacheLifetime"/> (at most 30 s),
/// so that a client sending the same token on every request pays the Data Protection decryption and MAC check once per
/// lifetime instead of once per request. Only a token that decrypted is remembered, keyed by the whole token, so nothing
/// is accepted that was not accepted by the protector less than a lifetime ago. Everything else is still checked on every
/// request by the caller: the token's expiry, and its security stamp against the user's (<see cref="SessionValidator"/>),
/// so signing out everywhere, a new password or new roles end a cached token exactly as fast as an uncached one. Only a
/// revoked Data Protection key takes up to one lifetime longer to refuse the tokens it protected.
/// </summary>
public sealed class BearerTicketCache : IDisposable
{
    private sealed record Entry(AuthenticationTicket Ticket, long ReadAt);

    private readonly MemoryCache cache;
    private readonly TimeSpan lifetime;
    private readonly TimeProvider time;

    public BearerTicketCache(IOptions<AccountSessionOptions> options, TimeProvider time)
    {
        lifetime = options.Value.TokenCacheLifetime;
        this.time = time;
        cache = new MemoryCache(new MemoryCacheOptions { SizeLimit = options.Value.TokenCacheEntries });
    }

    /// <summary>The ticket <paramref name="token"/> holds (a copy the caller may change), or null when the protector cannot read it.</summary>
    public AuthenticationTicket? Unprotect(string token, ISecureDataFormat<AuthenticationTicket> protector)
    {
        var now = time.GetTimestamp();
        if (cache.TryGetValue(token, out Entry? entry) && time.GetElapsedTime(entry!.ReadAt, now) < lifetime) return entry.Ticket.Clone();
        var ticket = protector.Unprotect(token);
        if (ticket is null || lifetime <= TimeSpan.Zero) return ticket;
        // The cache's own expiry only evicts; freshness is the read time above, on the same clock as the stamp cache's.
        cache.Set(token, new Entry(ticket, now), new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = lifetime });
        return ticket.Clone();
    }

    public void Dispose() => cache.Dispose();
}
