using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using TicketFlow.WebFront.Accounts;

namespace TicketFlow.WebFront.Pages.Account;

/// <summary>Create an account (the same rules as <c>POST /api/v1/auth/register</c>) and sign in.</summary>
[EnableRateLimiting(Conventions.RateLimits.Auth)]
public sealed class SignUpModel(AccountService accounts) : PageModel
{
    [BindProperty] public string? Name { get; set; }
    [BindProperty] public string? Email { get; set; }
    [BindProperty] public string? Password { get; set; }
    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }

    public Dictionary<string, string[]> Errors { get; private set; } = [];
    public string? Problem { get; private set; }

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var outcome = await accounts.RegisterAsync(new RegisterRequest(Email, Password, Name), HttpContext.Connection.RemoteIpAddress, cancellationToken);
        if (outcome.ProblemCode == ProblemCodes.RateLimited)
        {
            Problem = AccountEndpoints.TooManyRegistrations(outcome);
            Response.Headers.RetryAfter = outcome.RetryAfterSeconds;
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            return Page();
        }
        if (outcome.User is not { } user)
        {
            Errors = outcome.ProblemCode == ProblemCodes.EmailTaken
                ? new() { ["email"] = ["An account with this email already exists: sign in instead."] }
                : outcome.Errors;
            Problem = "Check the fields below.";
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }
        await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, AccountService.Principal(user));
        return LocalRedirect(SignInModel.SafeReturnUrl(ReturnUrl));
    }
}
