using System.Data.Common;
using TicketFlow.Data;

namespace TicketFlow.Payments;

/// <summary>
/// A stand-in card gateway: a separate component with its own table (<c>tf_gateway_payments</c>). It declines and errs at the
/// configured rates, or as <see cref="PaymentRequest.Simulate"/> forces, and never charges a payment id twice.
/// </summary>
public sealed class SimulatedPaymentGateway : IPaymentGateway
{
    public const string CardDeclined = "card_declined";

    private static readonly string[] DeclineReasons = [CardDeclined, "insufficient_funds", "expired_card"];

    private readonly SqlStoreDatabase database;
    private readonly SimulatedGatewayOptions options;
    private readonly TimeProvider time;
    private readonly Random random;
    private readonly Lock gate = new();
    private Task? schema;

    public SimulatedPaymentGateway(SqlStoreDatabase database, SimulatedGatewayOptions options, TimeProvider? time = null)
    {
        options.Validate();
        this.database = database;
        this.options = options;
        this.time = time ?? TimeProvider.System;
        random = options.Seed is { } seed ? new Random(seed) : new Random();
    }

    /// <summary>Creates the gateway's table if needed. Runs once; every call also ensures it, so calling it first is optional.</summary>
    public Task InitializeAsync(CancellationToken cancellationToken) => EnsureSchemaAsync(cancellationToken);

    public async Task<Payment> CaptureAsync(PaymentRequest request, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(request.PaymentId);
        ArgumentOutOfRangeException.ThrowIfNegative(request.AmountMinor);
        await EnsureSchemaAsync(cancellationToken);
        await DelayAsync(cancellationToken);
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            // A repeat, including the retry after a lost response, returns what was recorded and charges nothing.
            if (await PaymentGatewaySchema.FindAsync(connection, null, request.PaymentId, cancellationToken) is { } existing) return existing;

            var (outcome, reason) = Decide(request.Simulate);
            if (outcome == Outcome.Error) throw new PaymentGatewayException("The payment gateway failed to process the capture.");

            var status = outcome == Outcome.Decline ? PaymentStatus.Declined : PaymentStatus.Captured;
            var inserted = await DbCommands.ExecuteAsync(connection, null, PaymentGatewaySchema.Insert, cancellationToken,
                ("@id", request.PaymentId), ("@user", request.UserId), ("@amount", request.AmountMinor), ("@currency", request.Currency),
                ("@status", PaymentGatewaySchema.StatusText(status)), ("@reason", reason), ("@now", time.GetUtcNow().ToUnixTimeMilliseconds())) == 1;
            var stored = await PaymentGatewaySchema.FindAsync(connection, null, request.PaymentId, cancellationToken)
                ?? throw new PaymentGatewayException($"Payment {request.PaymentId} vanished right after its capture.");
            if (inserted && outcome == Outcome.Timeout) throw new PaymentGatewayException("The payment gateway timed out.");
            return stored;
        }
        catch (DbException error)
        {
            throw new PaymentGatewayException("The payment gateway's store failed; the capture outcome is unknown.", error);
        }
    }

    public async Task<Payment?> RefundAsync(PaymentRefund refund, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(refund.AmountMinor);
        await EnsureSchemaAsync(cancellationToken);
        await DelayAsync(cancellationToken);
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            // The refund's key decides between retries: a repeat inserts nothing and refunds nothing more.
            var first = await DbCommands.ExecuteAsync(connection, transaction, PaymentGatewaySchema.InsertRefund, cancellationToken,
                ("@refund", refund.RefundId), ("@id", refund.PaymentId), ("@amount", refund.AmountMinor), ("@now", now)) == 1;
            if (first && await DbCommands.ExecuteAsync(connection, transaction, PaymentGatewaySchema.Refund, cancellationToken,
                    ("@id", refund.PaymentId), ("@amount", refund.AmountMinor), ("@now", now)) == 0)
            {
                await transaction.RollbackAsync(cancellationToken);
                var payment = await PaymentGatewaySchema.FindAsync(connection, null, refund.PaymentId, cancellationToken);
                if (payment is { Status: not PaymentStatus.Declined })
                    throw new InvalidOperationException($"Refund {refund.RefundId} of {refund.AmountMinor} would exceed payment {refund.PaymentId}'s capture " +
                        $"({payment.RefundedMinor} of {payment.AmountMinor} refunded already); nothing was refunded.");
                return payment;
            }
            var stored = await PaymentGatewaySchema.FindAsync(connection, transaction, refund.PaymentId, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return stored;
        }
        catch (DbException error)
        {
            throw new PaymentGatewayException("The payment gateway's store failed; the refund outcome is unknown.", error);
        }
    }

    public async Task<Payment?> GetAsync(string paymentId, CancellationToken cancellationToken)
    {
        await EnsureSchemaAsync(cancellationToken);
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            return await PaymentGatewaySchema.FindAsync(connection, null, paymentId, cancellationToken);
        }
        catch (DbException error)
        {
            throw new PaymentGatewayException("The payment gateway's store failed.", error);
        }
    }

    private Task EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        lock (gate)
        {
            // Shared by all callers, so one caller's cancellation must not fail it; a failed attempt is retried by the next call.
            if (schema is null || schema.IsFaulted || schema.IsCanceled)
                schema = database.MigrateAsync(PaymentGatewaySchema.Component, PaymentGatewaySchema.Migrations, CancellationToken.None);
            return schema.WaitAsync(cancellationToken);
        }
    }

    private Task DelayAsync(CancellationToken cancellationToken) =>
        options.Latency > TimeSpan.Zero ? Task.Delay(options.Latency, time, cancellationToken) : Task.CompletedTask;

    private (Outcome Outcome, string? DeclineReason) Decide(string? simulate)
    {
        switch (simulate)
        {
            case "success": return (Outcome.Success, null);
            case "decline": return (Outcome.Decline, CardDeclined);
            case "error": return (Outcome.Error, null);
            case "timeout": return (Outcome.Timeout, null);
            case null: break;
            default: throw new ArgumentException($"Unknown simulated outcome '{simulate}': use success, decline, error or timeout.", nameof(simulate));
        }
        lock (gate)
        {
            // Both draws under one lock: a seeded run draws the same outcomes however captures interleave.
            var draw = random.NextDouble();
            if (draw < options.ErrorRate) return (Outcome.Error, null);
            if (draw < options.ErrorRate + options.DeclineRate) return (Outcome.Decline, DeclineReasons[random.Next(DeclineReasons.Length)]);
            return (Outcome.Success, null);
        }
    }

    private enum Outcome
    {
        Success,
        Decline,
        Error,
        Timeout,
    }
}
