using TicketFlow.Data;
using TicketFlow.Data.Orders;
using TicketFlow.Data.Transfers;

namespace TicketFlow.Data.Tests.Transfers;

/// <summary>One contract for transfer offers on both engines: PostgreSQL (cluster mode) and SQLite (embedded mode).</summary>
public abstract class TransferBookTests : IAsyncLifetime
{
    private readonly ManualTime clock = new(DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000));
    private readonly string bobEmail = $"bob-{Guid.NewGuid():N}@example.com";
    private readonly string carolEmail = $"carol-{Guid.NewGuid():N}@example.com";
    private IOrderBook orders = null!;
    private ITransferBook transfers = null!;

    protected abstract Task<SqlStoreDatabase> CreateDatabaseAsync();

    public async Task InitializeAsync()
    {
        var database = await CreateDatabaseAsync();
        orders = new SqlOrderBook(database, clock);
        transfers = new SqlTransferBook(database, new TransferOptions { OfferLifetime = TimeSpan.FromHours(1) }, clock);
        await orders.InitializeAsync(CancellationToken.None);
        await transfers.InitializeAsync(CancellationToken.None);
        await transfers.InitializeAsync(CancellationToken.None); // migrations run once, however often a host starts
    }

    public virtual Task DisposeAsync() => Task.CompletedTask;

    private static string Id(string prefix) => $"{prefix}_{Guid.NewGuid():N}";

    private async Task<Ticket> TicketOfAsync(string owner)
    {
        var id = Id("ord");
        await orders.IssueAsync(new NewOrder(id, owner, "evt", [new OrderLine("floor", 1, 5_000)], "USD", id, clock.GetUtcNow()), CancellationToken.None);
        return Assert.Single(await orders.TicketsForOrderAsync(id, CancellationToken.None));
    }

    [Fact]
    public async Task Accepting_moves_the_ticket_and_bumps_its_version_in_the_same_transaction_as_the_offer_closes()
    {
        var (alice, bob) = (Id("usr"), Id("usr"));
        var ticket = await TicketOfAsync(alice);
        var offer = await transfers.OfferAsync(ticket.Id, alice, bobEmail, CancellationToken.None);
        Assert.Equal(OfferOutcome.Offered, offer.Outcome);
        Assert.Equal(clock.GetUtcNow().AddHours(1), offer.Transfer!.ExpiresAt);

        var accepted = await transfers.AcceptAsync(offer.Transfer.Id, bob, bobEmail, CancellationToken.None);

        Assert.Equal((AcceptOutcome.Accepted, TransferStates.Accepted), (accepted.Outcome, accepted.Transfer!.State));
        var moved = (await orders.GetTicketAsync(ticket.Id, CancellationToken.None))!;
        Assert.Equal((bob, 2), (moved.OwnerId, moved.Version));
        Assert.Equal(CheckInOutcome.Void, await orders.CheckInAsync(ticket.Id, 1, CancellationToken.None));
        Assert.Equal(AcceptOutcome.NotOpen, (await transfers.AcceptAsync(offer.Transfer.Id, bob, bobEmail, CancellationToken.None)).Outcome);
        Assert.Equal(AcceptOutcome.NotFound, (await transfers.AcceptAsync(offer.Transfer.Id, bob, carolEmail, CancellationToken.None)).Outcome);
        Assert.Equal(TransferStates.Accepted, Assert.Single(await transfers.SentAsync(alice, 10, CancellationToken.None)).State);
    }

    [Fact]
    public async Task An_offer_whose_ticket_was_refunded_reads_void_and_accepting_it_moves_nothing()
    {
        var (alice, bob) = (Id("usr"), Id("usr"));
        var ticket = await TicketOfAsync(alice);
        var offer = (await transfers.OfferAsync(ticket.Id, alice, bobEmail, CancellationToken.None)).Transfer!;
        await orders.VoidAsync(new TicketRefund(ticket.OrderId, Id("ref"), alice, null, Force: false, "refund_requested"), CancellationToken.None);

        Assert.Equal(TransferStates.Void, Assert.Single(await transfers.ReceivedAsync(bobEmail, 10, CancellationToken.None)).State);
        var accepted = await transfers.AcceptAsync(offer.Id, bob, bobEmail, CancellationToken.None);

        Assert.Equal((AcceptOutcome.NotOpen, TransferStates.Void), (accepted.Outcome, accepted.Transfer!.State));
        var after = (await orders.GetTicketAsync(ticket.Id, CancellationToken.None))!;
        Assert.Equal((alice, 1, TicketStates.Void), (after.OwnerId, after.Version, after.State));
    }

    [Fact]
    public async Task An_offer_expires_with_time_and_no_longer_holds_its_ticket()
    {
        var alice = Id("usr");
        var ticket = await TicketOfAsync(alice);
        var offer = (await transfers.OfferAsync(ticket.Id, alice, bobEmail, CancellationToken.None)).Transfer!;
        Assert.Equal(OfferOutcome.AlreadyOffered, (await transfers.OfferAsync(ticket.Id, alice, carolEmail, CancellationToken.None)).Outcome);

        clock.Advance(TimeSpan.FromHours(1));

        Assert.Equal(TransferStates.Expired, Assert.Single(await transfers.SentAsync(alice, 10, CancellationToken.None)).State);
        Assert.Equal(AcceptOutcome.NotOpen, (await transfers.AcceptAsync(offer.Id, Id("usr"), bobEmail, CancellationToken.None)).Outcome);
        Assert.Equal(CancelOutcome.NotOpen, (await transfers.CancelAsync(offer.Id, alice, CancellationToken.None)).Outcome);
        Assert.Equal(OfferOutcome.Offered, (await transfers.OfferAsync(ticket.Id, alice, carolEmail, CancellationToken.None)).Outcome);
        Assert.Equal(alice, (await orders.GetTicketAsync(ticket.Id, CancellationToken.None))!.OwnerId);
    }

    [Fact]
    public async Task Of_racing_offers_of_one_ticket_exactly_one_is_open()
    {
        var alice = Id("usr");
        var ticket = await TicketOfAsync(alice);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            Task.Run(() => transfers.OfferAsync(ticket.Id, alice, $"fan{i}-{bobEmail}", CancellationToken.None))));

        Assert.Single(outcomes, o => o.Outcome == OfferOutcome.Offered);
        Assert.All(outcomes, o => Assert.Equal(outcomes.Single(w => w.Outcome == OfferOutcome.Offered).Transfer!.Id, o.Transfer!.Id));
    }

    [Fact]
    public async Task Of_a_racing_accept_and_withdrawal_exactly_one_wins()
    {
        var (alice, bob) = (Id("usr"), Id("usr"));
        for (var round = 0; round < 5; round++)
        {
            var ticket = await TicketOfAsync(alice);
            var offer = (await transfers.OfferAsync(ticket.Id, alice, bobEmail, CancellationToken.None)).Transfer!;

            var accept = Task.Run(() => transfers.AcceptAsync(offer.Id, bob, bobEmail, CancellationToken.None));
            var cancel = Task.Run(() => transfers.CancelAsync(offer.Id, alice, CancellationToken.None));
            var (accepted, cancelled) = (await accept, await cancel);

            Assert.True(accepted.Outcome == AcceptOutcome.Accepted ^ cancelled.Outcome == CancelOutcome.Cancelled);
            var owner = (await orders.GetTicketAsync(ticket.Id, CancellationToken.None))!.OwnerId;
            Assert.Equal(accepted.Outcome == AcceptOutcome.Accepted ? bob : alice, owner);
        }
    }

    private sealed class ManualTime(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset now = start;
        public override DateTimeOffset GetUtcNow() => now;
        public void Advance(TimeSpan by) => now += by;
    }
}

public sealed class PostgresTransferBookTests : TransferBookTests
{
    protected override async Task<SqlStoreDatabase> CreateDatabaseAsync() =>
        SqlStoreDatabase.PostgreSql(await TicketFlow.Testing.TestDatabase.DataSourceAsync());
}

public sealed class SqliteTransferBookTests : TransferBookTests
{
    private readonly string folder = Directory.CreateTempSubdirectory("tf-transfers-").FullName;

    protected override Task<SqlStoreDatabase> CreateDatabaseAsync() =>
        Task.FromResult(SqlStoreDatabase.Sqlite(new SqliteDatabase(Path.Combine(folder, "transfers.db"))));

    public override Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
        return Task.CompletedTask;
    }
}
