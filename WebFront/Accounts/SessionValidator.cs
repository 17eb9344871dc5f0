using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.Extensions.Options;
using TicketFlow.Data;

namespace TicketFlow.WebFront.Accounts;

/// <summary>
/// Checks every cookie and bearer token against its user as stored: the session's security stamp must be the user's
/// current one, and its roles become the stored ones. The stored stamp and roles are cached per WebFront for
/// <see cref="AccountSessionOptions.StampCacheLifetime"/>, so a busy WebFront reads each active user once per lifetime, not
/// once per request (see docs/ARCHITECTURE.md, "Sessions").
/// </summary>
public sealed class SessionValidator(IUserRepository users, IOptions<AccountSessionOptions> options, TimeProvider time)
{
    private const int PruneAbove = 200_000;

    private sealed record Entry(Lazy<Task<UserAccount?>> Lookup, long ReadAt);

    private readonly ConcurrentDictionary<string, Entry> entries = new();
    private readonly TimeSpan lifetime = options.Value.StampCacheLifetime;

    // A queued fan polls less often than the lifetime, so most of its polls miss: the misses of concurrent requests are
    // read together, one query for up to 100 users.
    private readonly LookupBatcher<string, UserAccount> stored = new(async (ids, cancellationToken) =>
        (await users.FindManyByIdAsync(ids, cancellationToken)).ToDictionary(user => user.Id, StringComparer.Ordinal));

    /// <summary>The principal with the stored roles, or null when its user is gone or the session's stamp is not the current one.</summary>
    public async Task<ClaimsPrincipal?> ValidateAsync(ClaimsPrincipal principal)
    {
        var (id, stamp) = (principal.FindFirstValue(ClaimTypes.NameIdentifier), principal.FindFirstValue(AccountClaims.SecurityStamp));
        if (id is null || stamp is null) return null;
        var user = await StoredAsync(id);
        if (user is null || user.SecurityStamp != stamp) return null;
        var claimed = principal.FindAll(ClaimTypes.Role).Select(role => role.Value).ToList();
        return claimed.Count == user.Roles.Count && user.Roles.All(claimed.Contains) ? principal : WithRoles(principal, user.Roles);
    }

    /// <summary>Drops what this WebFront cached for the user, after changing it here (others see it within the lifetime).</summary>
    public void Forget(string userId) => entries.TryRemove(userId, out _);

    private async Task<UserAccount?> StoredAsync(string userId)
    {
        var now = time.GetTimestamp();
        // The read time is taken before the query starts: a change committed after it is seen once the entry expires.
        if (!entries.TryGetValue(userId, out var entry) || !Fresh(entry, now))
        {
            entry = entries.AddOrUpdate(userId, _ => NewEntry(userId, now), (_, old) => Fresh(old, now) ? old : NewEntry(userId, now));
            if (entries.Count > PruneAbove) Prune(now); // Count takes every lock: only on a miss, never on the hot path
        }
        try
        {
            return await entry.Lookup.Value;
        }
        catch
        {
            entries.TryRemove(new KeyValuePair<string, Entry>(userId, entry)); // the next request asks the database again
            throw;
        }
    }

    private Entry NewEntry(string userId, long now) => new(new Lazy<Task<UserAccount?>>(() => stored.GetAsync(userId)), now);

    private bool Fresh(Entry entry, long now) => time.GetElapsedTime(entry.ReadAt, now) < lifetime;

    private void Prune(long now)
    {
        foreach (var (userId, entry) in entries)
            if (!Fresh(entry, now)) entries.TryRemove(new KeyValuePair<string, Entry>(userId, entry));
    }

    private static ClaimsPrincipal WithRoles(ClaimsPrincipal principal, IEnumerable<string> roles)
    {
        var identity = new ClaimsIdentity(principal.Claims.Where(claim => claim.Type != ClaimTypes.Role), principal.Identity?.AuthenticationType);
        identity.AddClaims(roles.Select(role => new Claim(ClaimTypes.Role, role)));
        return new ClaimsPrincipal(identity);
    }
}
