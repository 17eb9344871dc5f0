using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Scalar.AspNetCore;
using TicketFlow.WebFront.Conventions;

namespace TicketFlow.WebFront; // beside Program: its two calls there need no using

/// <summary>
/// The interactive API reference at <see cref="Path"/>: Scalar's page over <c>/openapi/v1.json</c>, its scripts served
/// from the package (no CDN, no fonts or telemetry from elsewhere), its one inline script allowed by a per-response nonce.
/// The OpenAPI document declares the bearer scheme, and the endpoints that need a signed-in caller require it.
/// </summary>
public static class ApiReference
{
    public const string Path = "/docs/api";

    /// <summary>The name of the bearer scheme in the OpenAPI document.</summary>
    public const string BearerScheme = "bearer";

    private const string Introduction = """
        TicketFlow's REST API: the same calls the web pages make. JSON in and out (camelCase); money in integer minor units
        with an ISO currency; errors are RFC 9457 problem details with a stable `code`.

        ## Signing in: a bearer token
        1. `POST /api/v1/auth/register` with `{"email", "password", "name"}` creates an account (once).
        2. `POST /api/v1/auth/login` with `{"email", "password"}` answers `{"accessToken", "expiresIn", "refreshToken"}`.
        3. Send the token on every call that needs a signed-in user: `Authorization: Bearer <accessToken>`.
           Here, choose **Authentication → bearer**, paste the token, and the requests you try carry it.
        4. The access token lives minutes (`expiresIn` seconds): `POST /api/v1/auth/refresh` with `{"refreshToken"}` gives a
           new pair and spends the old refresh token (presenting a spent one again ends that sign-in's tokens).
           `POST /api/v1/auth/logout-all` ends every session of the account within 30 s.

        Purchase calls (`POST /api/v1/holds`, `POST /api/v1/checkout`, refunds, transfers) also need an
        `Idempotency-Key` header (1–100 characters): the same key and body replay the first answer, never a second charge.
        """;

    /// <summary>The bearer scheme and the introduction in the OpenAPI document.</summary>
    public static IServiceCollection AddApiReference(this IServiceCollection services) =>
        services.Configure<OpenApiOptions>("v1", options => options
            .AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "TicketFlow API";
                document.Info.Description = Introduction;
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    Description = "The `accessToken` from `POST /api/v1/auth/login`, sent as `Authorization: Bearer <accessToken>`.",
                };
                return Task.CompletedTask;
            })
            .AddOperationTransformer((operation, context, _) =>
            {
                var metadata = context.Description.ActionDescriptor.EndpointMetadata;
                if (metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any())
                {
                    operation.Security ??= [];
                    operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] });
                }
                return Task.CompletedTask;
            }));

    // Scalar's default theme draws secondary text and the method badges below WCAG AA contrast (axe: color-contrast, serious).
    private const string ReadableColors = """
        .light-mode {
          --scalar-color-3: #5c5c5c;
          --scalar-color-green: #04633f; --scalar-color-blue: #005a91; --scalar-color-orange: #944a00;
          --scalar-color-yellow: #6e5700; --scalar-color-red: #b00005; --scalar-color-purple: #4a03bd;
        }
        .dark-mode { --scalar-color-3: #a8a8a8; }
        """;

    public static IEndpointRouteBuilder MapApiReference(this IEndpointRouteBuilder app)
    {
        app.MapScalarApiReference(Path, (options, http) =>
        {
            // Scalar's components set inline styles (style attributes and <style> elements it creates, which no nonce
            // reaches): this page allows inline styles; scripts stay same-origin plus the page's nonce.
            ContentSecurityPolicy.Allow(http, "style-src 'self' 'unsafe-inline'");
            options
                .WithTitle("TicketFlow API")
                .WithOpenApiRoutePattern("/openapi/{documentName}.json")
                .WithNonce(ContentSecurityPolicy.NonceFor(http))
                .AddPreferredSecuritySchemes([BearerScheme])
                .WithDocumentDownloadType(DocumentDownloadType.Direct) // a link to /openapi/v1.json
                .WithCustomCss(ReadableColors)
                .HideDeveloperTools() // Scalar's own bar (share, generate an SDK, deploy) leads to scalar.com
                .DisableDefaultFonts()
                .DisableTelemetry()
                .DisableAgent()
                .DisableMcp();
        }).AddEndpointFilter(InEnglish).AllowAnonymous();
        return app;
    }

    /// <summary>Scalar's page template has no <c>lang</c> (axe: html-has-lang, serious): this one says it is English.</summary>
    private static async ValueTask<object?> InEnglish(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var result = await next(context);
        return result is ContentHttpResult { ResponseContent: { } html } page && html.Contains("<html>", StringComparison.Ordinal)
            ? TypedResults.Content(html.Replace("<html>", "<html lang=\"en\">", StringComparison.Ordinal), page.ContentType, statusCode: page.StatusCode)
            : result;
    }
}
