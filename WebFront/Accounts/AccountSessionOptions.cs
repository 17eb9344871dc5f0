namespace TicketFlow.WebFront.Accounts;

/// <summary>How long sessions' tokens live and how soon a revocation is seen (configuration section <c>Accounts:Sessions</c>).</summary>
public sealed class AccountSessionOptions
{
    public const string Section = "Accounts:Sessions";

    public static readonly TimeSpan DefaultAccessTokenLifetime = TimeSpan.FromMinutes(10);

    /// <summary>A bearer access token's life (<c>expiresIn</c>); minutes, as a stolen one is only stopped by the stamp check.</summary>
    public TimeSpan AccessTokenLifetime { get; set; } = DefaultAccessTokenLifetime;

    /// <summary>A refresh token's life; each use spends it and issues a new one in the same family.</summary>
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(14);

    /// <summary>How long a WebFront trusts the security stamp it read for a user: a session ended on another WebFront is
    /// refused here at most this long after. Must stay well under 30 s (the API's promise).</summary>
    public TimeSpan StampCacheLifetime { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a WebFront trusts what a bearer token decrypted to (<see cref="BearerTicketCache"/>); zero turns the
    /// cache off. The stamp is checked on every request regardless, so this delays only a revoked Data Protection key.</summary>
    public TimeSpan TokenCacheLifetime { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>At most this many decrypted tokens are remembered per WebFront (about 2 KB each); beyond it a token is decrypted per request.</summary>
    public int TokenCacheEntries { get; set; } = 50_000;

    /// <summary>The API promises that an ended session stops working within 30 s; neither cache may outlive that.</summary>
    public static readonly TimeSpan MaxCacheLifetime = TimeSpan.FromSeconds(30);

    public bool IsValid => StampCacheLifetime >= TimeSpan.Zero && StampCacheLifetime <= MaxCacheLifetime
        && TokenCacheLifetime >= TimeSpan.Zero && TokenCacheLifetime <= MaxCacheLifetime && TokenCacheEntries > 0;
}
