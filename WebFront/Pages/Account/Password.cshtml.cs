using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using TicketFlow.WebFront.Accounts;

namespace TicketFlow.WebFront.Pages.Account;

/// <summary>Change the password (the same rules as <c>POST /api/v1/me/password</c>): other sessions end, this one goes on
/// with a cookie carrying the new security stamp.</summary>
[EnableRateLimiting(Conventions.RateLimits.Auth)]
public sealed class PasswordModel(AccountService accounts) : PageModel
{
    [BindProperty] public string? CurrentPassword { get; set; }
    [BindProperty] public string? NewPassword { get; set; }

    public Dictionary<string, string[]> Errors { get; private set; } = [];
    public string? Problem { get; private set; }

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var userId = User.FindFirstValue(ClaimTypes.NameIdentifier) ?? "";
        var outcome = await accounts.ChangePasswordAsync(userId, new ChangePasswordRequest(CurrentPassword, NewPassword), HttpContext.Connection.RemoteIpAddress, cancellationToken);
        if (outcome.User is not { } user)
        {
            Errors = outcome.Errors;
            Problem = outcome.Errors.Count > 0 ? "Check the fields below."
                : outcome.RetryAfter > TimeSpan.Zero ? AccountEndpoints.TooManyAttempts(outcome)
                : Problems.Catalog[outcome.ProblemCode!].Meaning;
            Response.StatusCode = Problems.Catalog[outcome.ProblemCode!].Status;
            if (outcome.RetryAfter > TimeSpan.Zero) Response.Headers.RetryAfter = outcome.RetryAfterSeconds;
            return Page();
        }
        await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, AccountService.Principal(user));
        return Redirect("/account?changed=password");
    }
}
