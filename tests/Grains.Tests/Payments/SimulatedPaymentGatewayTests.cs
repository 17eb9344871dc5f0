using System.Diagnostics;
using Microsoft.Data.Sqlite;
using TicketFlow.Data;
using TicketFlow.Payments;
using TicketFlow.Testing;

namespace TicketFlow.Grains.Tests.Payments;

/// <summary>The simulated gateway against its real store, on PostgreSQL and on SQLite.</summary>
public abstract class SimulatedPaymentGatewayTests : IAsyncLifetime
{
    private SqlStoreDatabase database = null!;

    protected abstract Task<SqlStoreDatabase> CreateDatabaseAsync();

    public async Task InitializeAsync() => database = await CreateDatabaseAsync();

    public virtual Task DisposeAsync() => Task.CompletedTask;

    private SimulatedPaymentGateway Gateway(int? seed = null, TimeSpan? latency = null) =>
        new(database, new SimulatedGatewayOptions { Latency = latency ?? TimeSpan.Zero, Seed = seed });

    private static PaymentRequest Request(string? simulate, long amount = 12_500) =>
        new(TestDatabase.UniqueId("pay"), "user-1", amount, "EUR", simulate);

    private async Task<long> RowsAsync(string paymentId)
    {
        await using var connection = await database.OpenAsync(CancellationToken.None);
        await using var command = DbCommands.Create(connection, null, "SELECT count(*), sum(captures) FROM tf_gateway_payments WHERE payment_id = @id", ("@id", paymentId));
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        var rows = reader.GetInt64(0);
        if (rows > 0) Assert.Equal(rows, reader.GetInt64(1)); // one capture per row
        return rows;
    }

    [Fact]
    public async Task A_successful_capture_is_stored()
    {
        var gateway = Gateway();
        var request = Request("success");

        var payment = await gateway.CaptureAsync(request, CancellationToken.None);

        Assert.Equal(new Payment(request.PaymentId, PaymentStatus.Captured, 12_500, "EUR", null, payment.UpdatedAt), payment);
        Assert.Equal(payment, await gateway.GetAsync(request.PaymentId, CancellationToken.None));
        Assert.Equal(1, await RowsAsync(request.PaymentId));
    }

    [Fact]
    public async Task A_declined_capture_is_stored_with_its_reason()
    {
        var gateway = Gateway();
        var request = Request("decline");

        var payment = await gateway.CaptureAsync(request, CancellationToken.None);

        Assert.Equal(PaymentStatus.Declined, payment.Status);
        Assert.Equal(SimulatedPaymentGateway.CardDeclined, payment.DeclineReason);
        Assert.Equal(payment, await gateway.GetAsync(request.PaymentId, CancellationToken.None));
    }

    [Fact]
    public async Task A_gateway_error_throws_and_stores_nothing()
    {
        var gateway = Gateway();
        var request = Request("error");

        await Assert.ThrowsAsync<PaymentGatewayException>(() => gateway.CaptureAsync(request, CancellationToken.None));

        Assert.Null(await gateway.GetAsync(request.PaymentId, CancellationToken.None));
        Assert.Equal(0, await RowsAsync(request.PaymentId));
    }

    [Fact]
    public async Task A_timed_out_capture_was_recorded_so_the_retry_returns_it_captured()
    {
        var gateway = Gateway();
        var request = Request("timeout");

        var lost = await Assert.ThrowsAsync<PaymentGatewayException>(() => gateway.CaptureAsync(request, CancellationToken.None));
        Assert.Contains("timed out", lost.Message);

        var retried = await gateway.CaptureAsync(request, CancellationToken.None);
        Assert.Equal(PaymentStatus.Captured, retried.Status);
        Assert.Equal(1, await RowsAsync(request.PaymentId));
    }

    [Fact]
    public async Task Capture_with_the_same_payment_id_never_charges_twice()
    {
        var gateway = Gateway();
        var request = Request("success");

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => gateway.CaptureAsync(request, CancellationToken.None))));

        Assert.All(results, result => Assert.Equal(results[0], result));
        Assert.Equal(PaymentStatus.Captured, results[0].Status);
        Assert.Equal(1, await RowsAsync(request.PaymentId));
    }

    [Fact]
    public async Task A_repeated_capture_returns_the_first_outcome_even_if_it_asks_for_another()
    {
        var gateway = Gateway();
        var declined = await gateway.CaptureAsync(Request("decline"), CancellationToken.None);

        var repeat = await gateway.CaptureAsync(new PaymentRequest(declined.PaymentId, "user-1", 12_500, "EUR", "success"), CancellationToken.None);

        Assert.Equal(declined, repeat);
    }

    [Fact]
    public async Task A_captured_payment_is_refunded_once()
    {
        var gateway = Gateway();
        var captured = await gateway.CaptureAsync(Request("success"), CancellationToken.None);

        var refunded = await gateway.RefundAsync(Whole(captured), CancellationToken.None);
        var again = await gateway.RefundAsync(Whole(captured), CancellationToken.None);

        Assert.Equal((PaymentStatus.Refunded, 12_500L), (refunded!.Status, refunded.RefundedMinor));
        Assert.Equal(refunded, again);
        Assert.Equal(refunded, await gateway.GetAsync(captured.PaymentId, CancellationToken.None));
        Assert.Equal(1, await RowsAsync(captured.PaymentId));
    }

    [Fact]
    public async Task A_refunded_payment_cannot_be_captured_again()
    {
        var gateway = Gateway();
        var request = Request("success");
        await gateway.CaptureAsync(request, CancellationToken.None);
        await gateway.RefundAsync(new PaymentRefund(request.PaymentId, request.PaymentId, request.AmountMinor), CancellationToken.None);

        var repeat = await gateway.CaptureAsync(request, CancellationToken.None);

        Assert.Equal(PaymentStatus.Refunded, repeat.Status);
    }

    [Fact]
    public async Task Refunding_a_declined_payment_changes_nothing()
    {
        var gateway = Gateway();
        var declined = await gateway.CaptureAsync(Request("decline"), CancellationToken.None);

        Assert.Equal(declined, await gateway.RefundAsync(Whole(declined), CancellationToken.None));
    }

    [Fact]
    public async Task Partial_refunds_add_up_once_per_refund_id_and_never_beyond_the_capture()
    {
        var gateway = Gateway();
        var captured = await gateway.CaptureAsync(Request("success"), CancellationToken.None); // 12,500
        var id = captured.PaymentId;

        var first = await gateway.RefundAsync(new PaymentRefund(id, id + ".r1", 5_000), CancellationToken.None);
        var retried = await gateway.RefundAsync(new PaymentRefund(id, id + ".r1", 5_000), CancellationToken.None);
        Assert.Equal((PaymentStatus.Captured, 5_000L), (first!.Status, first.RefundedMinor));
        Assert.Equal(5_000L, retried!.RefundedMinor);

        await Assert.ThrowsAsync<InvalidOperationException>(() => gateway.RefundAsync(new PaymentRefund(id, id + ".r2", 7_501), CancellationToken.None));
        Assert.Equal(5_000L, (await gateway.GetAsync(id, CancellationToken.None))!.RefundedMinor); // the refused refund left nothing behind

        var concurrent = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Task.Run(async () =>
        {
            try { return await gateway.RefundAsync(new PaymentRefund(id, $"{id}.c{i}", 2_500), CancellationToken.None) is not null; }
            catch (InvalidOperationException) { return false; }
        })));
        Assert.Equal(3, concurrent.Count(done => done)); // 7,500 were left: three of 2,500 fit, the others are refused
        var settled = await gateway.GetAsync(id, CancellationToken.None);
        Assert.Equal((PaymentStatus.Refunded, 12_500L), (settled!.Status, settled.RefundedMinor));
    }

    private static PaymentRefund Whole(Payment payment) => new(payment.PaymentId, payment.PaymentId, payment.AmountMinor);

    [Fact]
    public async Task Refunding_an_unknown_payment_returns_null()
    {
        var id = TestDatabase.UniqueId("never-captured");
        Assert.Null(await Gateway().RefundAsync(new PaymentRefund(id, id, 100), CancellationToken.None));
    }

    [Fact]
    public async Task Unforced_captures_succeed_80_percent_of_the_time_by_default()
    {
        var defaults = new SimulatedGatewayOptions();
        var gateway = new SimulatedPaymentGateway(database, new SimulatedGatewayOptions
        {
            Latency = TimeSpan.Zero, DeclineRate = defaults.DeclineRate, ErrorRate = defaults.ErrorRate, Seed = 20240611,
        });
        const int captures = 2_000;
        var outcomes = new List<PaymentStatus?>();
        await Parallel.ForEachAsync(Enumerable.Range(0, captures), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (_, ct) =>
        {
            PaymentStatus? outcome;
            try { outcome = (await gateway.CaptureAsync(Request(simulate: null), ct)).Status; }
            catch (PaymentGatewayException) { outcome = null; }
            lock (outcomes) outcomes.Add(outcome);
        });

        Assert.InRange(outcomes.Count(o => o == PaymentStatus.Captured) / (double)captures, 0.77, 0.83);
        Assert.InRange(outcomes.Count(o => o == PaymentStatus.Declined) / (double)captures, 0.12, 0.18);
        Assert.InRange(outcomes.Count(o => o is null) / (double)captures, 0.03, 0.07);
    }

    [Fact]
    public async Task A_capture_takes_at_least_the_simulated_latency()
    {
        var gateway = Gateway(latency: TimeSpan.FromMilliseconds(100));
        await gateway.InitializeAsync(CancellationToken.None);
        var clock = Stopwatch.StartNew();

        await gateway.CaptureAsync(Request("success"), CancellationToken.None);

        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(90), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task A_negative_amount_is_rejected_before_anything_is_stored()
    {
        var gateway = Gateway();
        await gateway.InitializeAsync(CancellationToken.None);
        var request = Request("success", amount: -1);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => gateway.CaptureAsync(request, CancellationToken.None));

        Assert.Equal(0, await RowsAsync(request.PaymentId));
    }

    [Fact]
    public async Task The_table_itself_refuses_a_negative_amount()
    {
        await Gateway().InitializeAsync(CancellationToken.None);
        await using var connection = await database.OpenAsync(CancellationToken.None);

        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => DbCommands.ExecuteAsync(connection, null, """
            INSERT INTO tf_gateway_payments (payment_id, user_id, amount_minor, currency, status, created_at_ms, updated_at_ms)
            VALUES (@id, 'user-1', -1, 'EUR', 'captured', 0, 0)
            """, CancellationToken.None, ("@id", TestDatabase.UniqueId("negative"))));
    }
}

public sealed class PostgresSimulatedPaymentGatewayTests : SimulatedPaymentGatewayTests
{
    protected override async Task<SqlStoreDatabase> CreateDatabaseAsync() => SqlStoreDatabase.PostgreSql(await TestDatabase.DataSourceAsync());
}

public sealed class SqliteSimulatedPaymentGatewayTests : SimulatedPaymentGatewayTests
{
    private readonly string folder = Directory.CreateTempSubdirectory("tf-gateway-").FullName;

    protected override Task<SqlStoreDatabase> CreateDatabaseAsync() =>
        Task.FromResult(SqlStoreDatabase.Sqlite(new SqliteDatabase(Path.Combine(folder, "gateway.db"))));

    public override Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
        return Task.CompletedTask;
    }
}
