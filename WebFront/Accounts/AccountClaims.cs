using System.Security.Claims;

namespace TicketFlow.WebFront.Accounts;

/// <summary>What a signed-in user's cookie and bearer token carry; endpoints read the user id and roles from it.</summary>
internal static class AccountClaims
{
    /// <summary>The claims WebFront's login issues; name and email are for display and may be absent (minted tokens).</summary>
    public static ClaimsPrincipal Principal(string userId, IEnumerable<string> roles, string? name, string? email, string authenticationType) =>
        new(new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, userId),
            .. name is null ? Array.Empty<Claim>() : [new Claim(ClaimTypes.Name, name)],
            .. email is null ? Array.Empty<Claim>() : [new Claim(ClaimTypes.Email, email)],
            .. roles.Select(role => new Claim(ClaimTypes.Role, role)),
        ], authenticationType));
}
