using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using TicketFlow.WebFront.Accounts;

namespace TicketFlow.WebFront.Pages.Account;

/// <summary>Sign in with the session cookie: a plain form (antiforgery-checked), field errors beside the fields.</summary>
[EnableRateLimiting(Conventions.RateLimits.Auth)]
public sealed class SignInModel(AccountService accounts) : PageModel
{
    [BindProperty] public string? Email { get; set; }
    [BindProperty] public string? Password { get; set; }
    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }

    public Dictionary<string, string[]> Errors { get; private set; } = [];
    public string? Problem { get; private set; }

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var outcome = await accounts.VerifyAsync(new LoginRequest(Email, Password), HttpContext.Connection.RemoteIpAddress, cancellationToken);
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
        return LocalRedirect(SafeReturnUrl(ReturnUrl));
    }

    /// <summary>Only a path of this site (no open redirect to another one).</summary>
    public static string SafeReturnUrl(string? url) =>
        url is { Length: > 1 and <= 500 } && url[0] == '/' && url[1] is not ('/' or '\\') ? url : "/";
}
