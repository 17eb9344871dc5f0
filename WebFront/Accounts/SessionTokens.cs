using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.Extensions.Options;

namespace TicketFlow.WebFront.Accounts;

/// <summary>Issues a bearer session's pair: a short-lived access token (protected by the shared key ring, like the
/// cookie) and an opaque refresh token in the session's family.</summary>
public sealed class SessionTokens(IOptionsMonitor<BearerTokenOptions> bearer, RefreshTokenStore refreshTokens, IOptions<AccountSessionOptions> options, TimeProvider time)
{
    public async Task<AccessTokenResponse> IssueAsync(UserAccount user, string familyId, CancellationToken cancellationToken)
    {
        var (now, lifetime) = (time.GetUtcNow(), options.Value.AccessTokenLifetime);
        var ticket = new AuthenticationTicket(AccountService.Principal(user, familyId),
            new AuthenticationProperties { IssuedUtc = now, ExpiresUtc = now + lifetime }, BearerTokenDefaults.AuthenticationScheme);
        return new AccessTokenResponse
        {
            AccessToken = bearer.Get(BearerTokenDefaults.AuthenticationScheme).BearerTokenProtector.Protect(ticket),
            ExpiresIn = (long)lifetime.TotalSeconds,
            RefreshToken = await refreshTokens.IssueAsync(user.Id, familyId, options.Value.RefreshTokenLifetime, cancellationToken),
        };
    }
}
