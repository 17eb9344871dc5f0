using System.Security.Claims;

namespace TicketFlow.WebFront.Accounts;

/// <summary>What a signed-in user's cookie and bearer token carry; endpoints read the user id and roles from it.</summary>
internal static class AccountClaims
{
    /// <summary>The user's security stamp when the session began; a session whose stamp is no longer the stored one has ended.</summary>
    public const string SecurityStamp = "tf_stamp";

    /// <summary>An access token's refresh family (the bearer session it belongs to), so signing out can end that session's refreshing.</summary>
    public const string RefreshFamily = "tf_family";

    /// <summary>The claims WebFront's login issues; name and email are for display and may be absent (minted tokens).</summary>
    public static ClaimsPrincipal Principal(string userId, IEnumerable<string> roles, string? name, string? email, string securityStamp,
        string authenticationType, string? refreshFamily = null) =>
        new(new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, userId),
            new Claim(SecurityStamp, securityStamp),
            .. name is null ? Array.Empty<Claim>() : [new Claim(ClaimTypes.Name, name)],
            .. email is null ? Array.Empty<Claim>() : [new Claim(ClaimTypes.Email, email)],
            .. refreshFamily is null ? Array.Empty<Claim>() : [new Claim(RefreshFamily, refreshFamily)],
            .. roles.Select(role => new Claim(ClaimTypes.Role, role)),
        ], authenticationType));
}
