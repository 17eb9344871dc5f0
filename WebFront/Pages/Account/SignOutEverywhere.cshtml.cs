using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using TicketFlow.WebFront.Accounts;

namespace TicketFlow.WebFront.Pages.Account;

/// <summary>Sign out everywhere by form post (the account page's button; antiforgery-checked), as <c>POST /api/v1/auth/logout-all</c>.</summary>
public sealed class SignOutEverywhereModel(AccountService accounts) : PageModel
{
    public IActionResult OnGet() => Redirect("/account");

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        await accounts.SignOutEverywhereAsync(User.FindFirstValue(ClaimTypes.NameIdentifier) ?? "", cancellationToken);
        await HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return Redirect("/account/signin");
    }
}
