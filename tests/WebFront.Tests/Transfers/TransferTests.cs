using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TicketFlow.Data;
using TicketFlow.Data.Orders;
using TicketFlow.Data.Transfers;
using TicketFlow.WebFront.Accounts;

namespace TicketFlow.WebFront.Tests.Transfers;

/// <summary>Transfers as offers over HTTP: offered to an email, the same answer whether or not an account has it, accepted by
/// that account only, withdrawn by the sender, expired by time, void when the ticket changes. Orders are issued straight
/// into the order book (as in <see cref="OrderEndpointTests"/>); the transfer book's clock is the test's.</summary>
public sealed class TransferTests : IAsyncLifetime
{
    private const string Password = "ticket-holder-lantern-1";
    private static readonly DateTimeOffset T0 = DateTimeOffset.Parse("2027-03-01T09:00:00Z");
    private readonly ManualTime clock = new();
    private readonly EmailLookups lookups = new();
    private WebFrontHost host = null!;
    private WebApplicationFactory<Program> web = null!;
    private string adminToken = null!;

    private sealed record Account(string Id, string Email, string Token);

    public Task InitializeAsync() => StartAsync(("RateLimits:Transfer:PermitLimit", "1000"));

    private async Task StartAsync(params (string Key, string Value)[] settings)
    {
        host = new WebFrontHost([("TICKETFLOW_ADMIN_EMAIL", "doors@ticketflow.test"), ("TICKETFLOW_ADMIN_PASSWORD", "admin-password-1"),
            ("RateLimits:Auth:PermitLimit", "1000"), ("RateLimits:Register:PerIpPermitLimit", "1000"), .. settings]);
        web = host.Factory.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<ITransferBook>(sp => new SqlTransferBook(sp.GetRequiredService<SqlStoreDatabase>(),
                sp.GetRequiredService<IOptions<TransferOptions>>().Value, clock));
            services.AddSingleton<IUserRepository>(sp => new LookupSpy(new SqlUserRepository(sp.GetRequiredService<SqlStoreDatabase>()), lookups));
        }));
        adminToken = await TokenAsync("doors@ticketflow.test", "admin-password-1", register: false);
    }

    public async Task DisposeAsync()
    {
        await web.DisposeAsync();
        await host.DisposeAsync();
    }

    private IOrderBook Orders => web.Services.GetRequiredService<IOrderBook>();

    private HttpClient Client() => web.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false });

    private async Task<string> TokenAsync(string email, string password, bool register)
    {
        if (register) (await Client().PostAsJsonAsync("/api/v1/auth/register", new { email, password, name = "Fan " + email[..3] })).Dispose();
        using var login = await Client().PostAsJsonAsync("/api/v1/auth/login", new { email, password });
        return (await Json(login)).GetProperty("accessToken").GetString()!;
    }

    private async Task<Account> SignUpAsync(string name, string? email = null)
    {
        email ??= $"{name}-{Guid.NewGuid():N}@example.com";
        var token = await TokenAsync(email, Password, register: true);
        using var me = await Send(HttpMethod.Get, "/api/v1/me", token);
        return new Account((await Json(me)).GetProperty("id").GetString()!, email, token);
    }

    /// <summary>One paid order of one ticket for the owner; its ticket.</summary>
    private async Task<Ticket> TicketOfAsync(Account owner)
    {
        var id = $"ord_{Guid.NewGuid():N}";
        await Orders.IssueAsync(new NewOrder(id, owner.Id, "evt_harbour", [new OrderLine("standing", 1, 5_900)], "EUR", id, T0), CancellationToken.None);
        return Assert.Single(await Orders.TicketsForOrderAsync(id, CancellationToken.None));
    }

    private async Task<HttpResponseMessage> Send(HttpMethod method, string path, string? token, object? body = null, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return await Client().SendAsync(request);
    }

    private Task<HttpResponseMessage> OfferAsync(string ticketId, string toEmail, Account from, string? key = null) =>
        Send(HttpMethod.Post, $"/api/v1/tickets/{ticketId}/transfer", from.Token, new { toEmail }, key ?? Guid.NewGuid().ToString("N"));

    private async Task<string> OfferedAsync(string ticketId, string toEmail, Account from)
    {
        using var response = await OfferAsync(ticketId, toEmail, from);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await Json(response)).GetProperty("transferId").GetString()!;
    }

    private Task<HttpResponseMessage> AcceptAsync(string transferId, Account by) => Send(HttpMethod.Post, $"/api/v1/transfers/{transferId}/accept", by.Token);

    private Task<HttpResponseMessage> CancelAsync(string transferId, Account by) => Send(HttpMethod.Delete, $"/api/v1/transfers/{transferId}", by.Token);

    private async Task<(JsonElement[] Sent, JsonElement[] Received)> MineAsync(Account account)
    {
        using var response = await Send(HttpMethod.Get, "/api/v1/me/transfers", account.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await Json(response);
        return (body.GetProperty("sent").EnumerateArray().ToArray(), body.GetProperty("received").EnumerateArray().ToArray());
    }

    private static string State(JsonElement transfer) => transfer.GetProperty("state").GetString()!;

    private async Task<JsonElement> ValidateAsync(string code)
    {
        using var response = await Send(HttpMethod.Post, "/api/v1/tickets/validate", adminToken, new { code });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await Json(response);
    }

    private async Task<string> CodeOfAsync(Account owner, string ticketId)
    {
        using var response = await Send(HttpMethod.Get, "/api/v1/me/tickets", owner.Token);
        return (await Json(response)).EnumerateArray().Single(t => t.GetProperty("id").GetString() == ticketId).GetProperty("code").GetString()!;
    }

    private async Task<(string Owner, int Version)> OwnerAndVersionAsync(string ticketId)
    {
        var ticket = (await Orders.GetTicketAsync(ticketId, CancellationToken.None))!;
        return (ticket.OwnerId, ticket.Version);
    }

    private static async Task<JsonElement> Json(HttpResponseMessage response) => JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    private static async Task AssertProblem(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(code, (await Json(response)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task An_offer_answers_the_same_whether_or_not_an_account_has_the_email_and_looks_nobody_up()
    {
        var (alice, bob) = (await SignUpAsync("alice"), await SignUpAsync("bob"));
        var (first, second) = (await TicketOfAsync(alice), await TicketOfAsync(alice));
        var unknown = $"nobody-{Guid.NewGuid():N}@example.com";
        lookups.Clear();

        using var toAccount = await OfferAsync(first.Id, bob.Email, alice);
        using var toNobody = await OfferAsync(second.Id, unknown, alice);

        foreach (var response in new[] { toAccount, toNobody })
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            var body = await Json(response);
            Assert.Equal(["expiresAt", "state", "transferId"], body.EnumerateObject().Select(p => p.Name).Order());
            Assert.Equal("offered", State(body));
            Assert.Equal(clock.GetUtcNow() + TimeSpan.FromDays(7), body.GetProperty("expiresAt").GetDateTimeOffset()); // the documented default
            Assert.StartsWith("trf_", body.GetProperty("transferId").GetString());
        }
        Assert.Equal(toAccount.Headers.Location, toNobody.Headers.Location);
        Assert.Empty(lookups.Emails); // nobody's account was looked up to answer
        Assert.Equal((alice.Id, 1), await OwnerAndVersionAsync(first.Id)); // still the sender's
    }

    [Fact]
    public async Task The_recipient_sees_the_offer_accepts_it_and_holds_the_ticket_with_a_new_code_while_the_old_code_is_void()
    {
        var (alice, bob) = (await SignUpAsync("alice"), await SignUpAsync("bob"));
        var ticket = await TicketOfAsync(alice);
        var oldCode = await CodeOfAsync(alice, ticket.Id);
        var transferId = await OfferedAsync(ticket.Id, bob.Email.ToUpperInvariant(), alice); // emails compare as accounts do

        var offered = Assert.Single((await MineAsync(bob)).Received);
        Assert.Equal((transferId, ticket.Id, "offered", "evt_harbour", "standing", "Fan ali"),
            (offered.GetProperty("transferId").GetString(), offered.GetProperty("ticketId").GetString(), State(offered),
                offered.GetProperty("eventId").GetString(), offered.GetProperty("tierId").GetString(), offered.GetProperty("fromName").GetString()));
        Assert.Equal(bob.Email, Assert.Single((await MineAsync(alice)).Sent).GetProperty("toEmail").GetString());
        Assert.Equal((alice.Id, 1), await OwnerAndVersionAsync(ticket.Id)); // until accepted

        using var accept = await AcceptAsync(transferId, bob);

        Assert.Equal(HttpStatusCode.OK, accept.StatusCode);
        var accepted = await Json(accept);
        Assert.Equal("accepted", State(accepted));
        var newCode = accepted.GetProperty("ticket").GetProperty("code").GetString()!;
        Assert.StartsWith($"{ticket.Id}.2.", newCode);
        Assert.Equal(newCode, await CodeOfAsync(bob, ticket.Id));
        using (var mine = await Send(HttpMethod.Get, "/api/v1/me/tickets", alice.Token))
            Assert.DoesNotContain((await Json(mine)).EnumerateArray(), t => t.GetProperty("id").GetString() == ticket.Id);
        Assert.Equal("accepted", State(Assert.Single((await MineAsync(alice)).Sent)));
        Assert.Equal("accepted", State(Assert.Single((await MineAsync(bob)).Received)));
        var old = await ValidateAsync(oldCode);
        Assert.Equal((false, "void"), (old.GetProperty("valid").GetBoolean(), old.GetProperty("reason").GetString()));
        Assert.True((await ValidateAsync(newCode)).GetProperty("valid").GetBoolean());
        using (var again = await AcceptAsync(transferId, bob)) await AssertProblem(again, HttpStatusCode.Conflict, ProblemCodes.TransferNotOpen);
        using (var late = await CancelAsync(transferId, alice)) await AssertProblem(late, HttpStatusCode.Conflict, ProblemCodes.TransferNotOpen);
    }

    [Fact]
    public async Task Only_the_account_with_the_offers_email_sees_or_accepts_it_and_only_the_sender_withdraws_it()
    {
        var (alice, bob, carol) = (await SignUpAsync("alice"), await SignUpAsync("bob"), await SignUpAsync("carol"));
        var ticket = await TicketOfAsync(alice);
        var transferId = await OfferedAsync(ticket.Id, bob.Email, alice);

        using (var sender = await AcceptAsync(transferId, alice)) await AssertProblem(sender, HttpStatusCode.NotFound, ProblemCodes.TransferNotFound);
        using (var other = await AcceptAsync(transferId, carol)) await AssertProblem(other, HttpStatusCode.NotFound, ProblemCodes.TransferNotFound);
        using (var other = await CancelAsync(transferId, carol)) await AssertProblem(other, HttpStatusCode.NotFound, ProblemCodes.TransferNotFound);
        using (var recipient = await CancelAsync(transferId, bob)) await AssertProblem(recipient, HttpStatusCode.NotFound, ProblemCodes.TransferNotFound);
        using (var unknown = await AcceptAsync("trf_nope", bob)) await AssertProblem(unknown, HttpStatusCode.NotFound, ProblemCodes.TransferNotFound);
        using (var anonymous = await Send(HttpMethod.Post, $"/api/v1/transfers/{transferId}/accept", token: null)) Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        var carols = await MineAsync(carol);
        Assert.Empty(carols.Sent);
        Assert.Empty(carols.Received);
        Assert.Empty((await MineAsync(alice)).Received);

        Assert.Equal("offered", State(Assert.Single((await MineAsync(bob)).Received)));
        Assert.Equal((alice.Id, 1), await OwnerAndVersionAsync(ticket.Id));
    }

    [Fact]
    public async Task The_sender_withdraws_an_open_offer_and_then_it_can_be_neither_accepted_nor_withdrawn_again()
    {
        var (alice, bob) = (await SignUpAsync("alice"), await SignUpAsync("bob"));
        var ticket = await TicketOfAsync(alice);
        var transferId = await OfferedAsync(ticket.Id, bob.Email, alice);

        using (var cancel = await CancelAsync(transferId, alice)) Assert.Equal(HttpStatusCode.NoContent, cancel.StatusCode);

        using (var accept = await AcceptAsync(transferId, bob)) await AssertProblem(accept, HttpStatusCode.Conflict, ProblemCodes.TransferNotOpen);
        using (var again = await CancelAsync(transferId, alice)) await AssertProblem(again, HttpStatusCode.Conflict, ProblemCodes.TransferNotOpen);
        Assert.Equal("cancelled", State(Assert.Single((await MineAsync(alice)).Sent)));
        Assert.Equal("cancelled", State(Assert.Single((await MineAsync(bob)).Received)));
        Assert.Equal((alice.Id, 1), await OwnerAndVersionAsync(ticket.Id));
        await OfferedAsync(ticket.Id, bob.Email, alice); // withdrawn: the ticket may be offered again
    }

    [Fact]
    public async Task An_offer_expires_after_its_lifetime_and_the_ticket_stays_the_senders()
    {
        var (alice, bob) = (await SignUpAsync("alice"), await SignUpAsync("bob"));
        var ticket = await TicketOfAsync(alice);
        var transferId = await OfferedAsync(ticket.Id, bob.Email, alice);

        clock.Advance(TimeSpan.FromDays(7));

        Assert.Equal("expired", State(Assert.Single((await MineAsync(bob)).Received)));
        Assert.Equal("expired", State(Assert.Single((await MineAsync(alice)).Sent)));
        using (var accept = await AcceptAsync(transferId, bob)) await AssertProblem(accept, HttpStatusCode.Conflict, ProblemCodes.TransferNotOpen);
        using (var cancel = await CancelAsync(transferId, alice)) await AssertProblem(cancel, HttpStatusCode.Conflict, ProblemCodes.TransferNotOpen);
        Assert.Equal((alice.Id, 1), await OwnerAndVersionAsync(ticket.Id));
        await OfferedAsync(ticket.Id, bob.Email, alice); // an expired offer no longer holds the ticket
    }

    [Fact]
    public async Task A_ticket_refunded_or_used_meanwhile_voids_its_offer_and_accepting_changes_nothing()
    {
        var (alice, bob) = (await SignUpAsync("alice"), await SignUpAsync("bob"));
        var (refunded, used) = (await TicketOfAsync(alice), await TicketOfAsync(alice));
        var refundedOffer = await OfferedAsync(refunded.Id, bob.Email, alice);
        var usedOffer = await OfferedAsync(used.Id, bob.Email, alice);

        Assert.Equal(VoidOutcome.Voided, (await Orders.VoidAsync(new TicketRefund(refunded.OrderId, $"ref_{Guid.NewGuid():N}", alice.Id, null, Force: false, "refund_requested"), CancellationToken.None)).Outcome);
        Assert.True((await ValidateAsync(await CodeOfAsync(alice, used.Id))).GetProperty("valid").GetBoolean());

        Assert.All((await MineAsync(bob)).Received, t => Assert.Equal("void", State(t)));
        using (var accept = await AcceptAsync(refundedOffer, bob)) await AssertProblem(accept, HttpStatusCode.Conflict, ProblemCodes.TransferNotOpen);
        using (var accept = await AcceptAsync(usedOffer, bob)) await AssertProblem(accept, HttpStatusCode.Conflict, ProblemCodes.TransferNotOpen);
        using (var cancel = await CancelAsync(usedOffer, alice)) await AssertProblem(cancel, HttpStatusCode.Conflict, ProblemCodes.TransferNotOpen);
        var (refundedAfter, usedAfter) = ((await Orders.GetTicketAsync(refunded.Id, CancellationToken.None))!, (await Orders.GetTicketAsync(used.Id, CancellationToken.None))!);
        Assert.Equal((alice.Id, 1, TicketStates.Void), (refundedAfter.OwnerId, refundedAfter.Version, refundedAfter.State));
        Assert.Equal((alice.Id, 1, TicketStates.Used), (usedAfter.OwnerId, usedAfter.Version, usedAfter.State));
        Assert.All((await MineAsync(alice)).Sent, t => Assert.Equal("void", State(t)));
    }

    [Fact]
    public async Task A_ticket_has_one_open_offer_and_offers_of_no_ticket_of_ones_own_or_to_oneself_are_refused()
    {
        var (alice, bob, carol) = (await SignUpAsync("alice"), await SignUpAsync("bob"), await SignUpAsync("carol"));
        var ticket = await TicketOfAsync(alice);
        await OfferedAsync(ticket.Id, bob.Email, alice);

        using (var second = await OfferAsync(ticket.Id, carol.Email, alice)) await AssertProblem(second, HttpStatusCode.Conflict, ProblemCodes.TransferPending);
        using (var self = await OfferAsync(ticket.Id, " " + alice.Email.ToUpperInvariant(), alice)) await AssertProblem(self, HttpStatusCode.BadRequest, ProblemCodes.Validation);
        using (var blank = await OfferAsync(ticket.Id, " ", alice)) await AssertProblem(blank, HttpStatusCode.BadRequest, ProblemCodes.Validation);
        using (var notEmail = await OfferAsync(ticket.Id, "bob", alice)) await AssertProblem(notEmail, HttpStatusCode.BadRequest, ProblemCodes.Validation);
        using (var notMine = await OfferAsync(ticket.Id, carol.Email, bob)) await AssertProblem(notMine, HttpStatusCode.NotFound, ProblemCodes.TicketNotFound);
        using (var missing = await OfferAsync("tkt_nope", carol.Email, alice)) await AssertProblem(missing, HttpStatusCode.NotFound, ProblemCodes.TicketNotFound);
        var used = await TicketOfAsync(alice);
        Assert.True((await ValidateAsync(await CodeOfAsync(alice, used.Id))).GetProperty("valid").GetBoolean());
        using (var scanned = await OfferAsync(used.Id, bob.Email, alice)) await AssertProblem(scanned, HttpStatusCode.Conflict, ProblemCodes.TicketNotTransferable);
        Assert.Single((await MineAsync(alice)).Sent);
    }

    [Fact]
    public async Task An_offer_needs_an_idempotency_key_and_a_retry_with_it_is_replayed_not_repeated()
    {
        var (alice, bob) = (await SignUpAsync("alice"), await SignUpAsync("bob"));
        var ticket = await TicketOfAsync(alice);

        using (var keyless = await Send(HttpMethod.Post, $"/api/v1/tickets/{ticket.Id}/transfer", alice.Token, new { toEmail = bob.Email }))
            await AssertProblem(keyless, HttpStatusCode.BadRequest, ProblemCodes.Validation);
        using var first = await OfferAsync(ticket.Id, bob.Email, alice, key: "offer-1");
        using var retry = await OfferAsync(ticket.Id, bob.Email, alice, key: "offer-1");

        Assert.Equal((HttpStatusCode.Accepted, HttpStatusCode.Accepted), (first.StatusCode, retry.StatusCode));
        Assert.Equal("true", retry.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(await first.Content.ReadAsStringAsync(), await retry.Content.ReadAsStringAsync());
        Assert.Single((await MineAsync(alice)).Sent);
    }

    [Fact]
    public async Task Transfer_calls_are_rate_limited_per_user_and_another_user_is_not_held_back()
    {
        await DisposeAsync();
        await StartAsync(("RateLimits:Transfer:PermitLimit", "3"), ("RateLimits:Transfer:Window", "00:10:00"));
        var (alice, bob) = (await SignUpAsync("alice"), await SignUpAsync("bob"));
        var (ticket, bobs) = (await TicketOfAsync(alice), await TicketOfAsync(bob));

        var transferId = await OfferedAsync(ticket.Id, bob.Email, alice);
        using (var cancel = await CancelAsync(transferId, alice)) Assert.Equal(HttpStatusCode.NoContent, cancel.StatusCode);
        await OfferedAsync(ticket.Id, bob.Email, alice);
        using var limited = await OfferAsync(ticket.Id, "someone@example.com", alice);

        await AssertProblem(limited, HttpStatusCode.TooManyRequests, ProblemCodes.RateLimited);
        Assert.InRange(int.Parse(limited.Headers.GetValues("Retry-After").Single()), 1, 600);
        using (var accept = await AcceptAsync("trf_nope", alice)) Assert.Equal(HttpStatusCode.TooManyRequests, accept.StatusCode);
        using (var listing = await Send(HttpMethod.Get, "/api/v1/me/transfers", alice.Token)) Assert.Equal(HttpStatusCode.OK, listing.StatusCode); // reading is not limited
        await OfferedAsync(bobs.Id, alice.Email, bob);
    }

    private sealed class ManualTime : TimeProvider
    {
        private DateTimeOffset now = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()); // as stored
        public override DateTimeOffset GetUtcNow() => now;
        public void Advance(TimeSpan by) => now += by;
    }

    private sealed class EmailLookups
    {
        private readonly List<string> emails = [];
        public IReadOnlyList<string> Emails { get { lock (emails) return [.. emails]; } }
        public void Add(string email) { lock (emails) emails.Add(email); }
        public void Clear() { lock (emails) emails.Clear(); }
    }

    /// <summary>The real user repository, noting every lookup by email.</summary>
    private sealed class LookupSpy(IUserRepository inner, EmailLookups lookups) : IUserRepository
    {
        public Task InitializeAsync(CancellationToken cancellationToken) => inner.InitializeAsync(cancellationToken);
        public Task<bool> TryCreateAsync(UserAccount user, CancellationToken cancellationToken) => inner.TryCreateAsync(user, cancellationToken);
        public Task<UserAccount?> FindByIdAsync(string id, CancellationToken cancellationToken) => inner.FindByIdAsync(id, cancellationToken);
        public Task<IReadOnlyList<UserAccount>> FindManyByIdAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken) => inner.FindManyByIdAsync(ids, cancellationToken);
        public Task<bool> ChangeAsync(string id, string securityStamp, string? passwordHash, IReadOnlyList<string>? roles, CancellationToken cancellationToken) =>
            inner.ChangeAsync(id, securityStamp, passwordHash, roles, cancellationToken);
        public Task<int> CountWithRoleAsync(string role, CancellationToken cancellationToken) => inner.CountWithRoleAsync(role, cancellationToken);
        public Task<IReadOnlyList<UserAccount>> SeedAsync(IReadOnlyList<UserAccount> users, CancellationToken cancellationToken) => inner.SeedAsync(users, cancellationToken);

        public Task<UserAccount?> FindByEmailAsync(string email, CancellationToken cancellationToken)
        {
            lookups.Add(email);
            return inner.FindByEmailAsync(email, cancellationToken);
        }
    }
}
