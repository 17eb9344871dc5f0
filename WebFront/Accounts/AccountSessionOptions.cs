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
}
