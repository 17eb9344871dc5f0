using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace TicketFlow.WebFront.Tests;

public sealed class AccountTests : IAsyncLifetime
{
    private const string Password = "correct-horse-42";
    private WebFrontHost host = null!;

    public Task InitializeAsync()
    {
        host = new WebFrontHost(("TICKETFLOW_ADMIN_EMAIL", "boss@ticketflow.test"), ("TICKETFLOW_ADMIN_PASSWORD", "admin-password-1"));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await host.DisposeAsync();

    private static async Task<JsonElement> Json(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    private static Task<HttpResponseMessage> Register(HttpClient client, string email, string password = Password, string name = "Ada") =>
        client.PostAsJsonAsync("/api/v1/auth/register", new { email, password, name });

    private static Task<HttpResponseMessage> Login(HttpClient client, string email, string password = Password) =>
        client.PostAsJsonAsync("/api/v1/auth/login", new { email, password });

    [Fact]
    public async Task Register_creates_a_user_and_a_second_registration_of_the_email_in_any_case_is_a_conflict()
    {
        var client = host.CreateClient();
        using var created = await Register(client, "ada@example.com");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var user = await Json(created);
        Assert.StartsWith("usr_", user.GetProperty("id").GetString());
        Assert.Equal("ada@example.com", user.GetProperty("email").GetString());
        Assert.Equal(["user"], user.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));

        using var duplicate = await Register(client, "  ADA@Example.com ", name: "Impostor");
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        Assert.Equal("application/problem+json", duplicate.Content.Headers.ContentType?.MediaType);
        Assert.Equal(ProblemCodes.EmailTaken, (await Json(duplicate)).GetProperty("code").GetString());
    }

    [Theory]
    [InlineData("not-an-email", Password, "Ada", "email")]
    [InlineData("ada@example.com", "short1", "Ada", "password")]
    [InlineData("ada@example.com", "onlyletters-no-digits", "Ada", "password")]
    [InlineData("ada@example.com", Password, "", "name")]
    public async Task Invalid_registration_input_is_a_400_naming_the_field_and_creates_nothing(string email, string password, string name, string field)
    {
        var client = host.CreateClient();
        using var response = await Register(client, email, password, name);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await Json(response);
        Assert.Equal(ProblemCodes.Validation, problem.GetProperty("code").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"errors names {field}");
        using var login = await Login(client, email, password);
        Assert.NotEqual(HttpStatusCode.OK, login.StatusCode);
    }

    [Fact]
    public async Task Unreadable_json_is_a_400_problem()
    {
        var client = host.CreateClient();
        using var response = await client.PostAsync("/api/v1/auth/register", new StringContent("{\"email\": ", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_wrong_password_or_unknown_email_is_a_401()
    {
        var client = host.CreateClient();
        await Register(client, "grace@example.com");
        using var wrong = await Login(client, "grace@example.com", "wrong-password-1");
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(ProblemCodes.InvalidCredentials, (await Json(wrong)).GetProperty("code").GetString());
        using var unknown = await Login(client, "nobody@example.com");
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
    }

    [Fact]
    public async Task A_bearer_token_from_login_identifies_the_user_at_me()
    {
        var client = host.CreateClient(cookies: false);
        await Register(client, "linus@example.com", name: "Linus");
        using var login = await Login(client, "LINUS@example.com");
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var token = await Json(login);
        Assert.True(token.GetProperty("expiresIn").GetInt32() > 0);

        using (var anonymous = await client.GetAsync("/api/v1/me")) Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.GetProperty("accessToken").GetString());
        using var me = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        Assert.Equal("Linus", (await Json(me)).GetProperty("name").GetString());

        request.Headers.Authorization = null;
        using var forged = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me") { Headers = { Authorization = new("Bearer", "not-a-token") } };
        using (var rejected = await client.SendAsync(forged)) Assert.Equal(HttpStatusCode.Unauthorized, rejected.StatusCode);
    }

    [Fact]
    public async Task A_session_cookie_from_login_works_until_logout()
    {
        var client = host.CreateClient(cookies: true);
        await Register(client, "barbara@example.com", name: "Barbara");
        using (var login = await Login(client, "barbara@example.com")) Assert.Equal(HttpStatusCode.OK, login.StatusCode);

        using (var me = await client.GetAsync("/api/v1/me"))
        {
            Assert.Equal(HttpStatusCode.OK, me.StatusCode);
            Assert.Equal("barbara@example.com", (await Json(me)).GetProperty("email").GetString());
        }
        // As the pages do it: the antiforgery token from the session call (a change the cookie authenticates needs it).
        var token = (await Json(await client.GetAsync("/api/v1/auth/session"))).GetProperty("antiforgeryToken").GetString();
        using (var logout = await client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/logout") { Headers = { { "X-CSRF-TOKEN", token } } }))
            Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        using (var after = await client.GetAsync("/api/v1/me")) Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task The_first_admin_comes_from_configuration()
    {
        var client = host.CreateClient();
        using (var login = await Login(client, "boss@ticketflow.test", "admin-password-1")) Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        using var me = await client.GetAsync("/api/v1/me");
        var roles = (await Json(me)).GetProperty("roles").EnumerateArray().Select(r => r.GetString()).ToList();
        Assert.Equal(["user", "admin"], roles);
    }
}
