using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Options;
using TicketFlow.Data;

namespace TicketFlow.WebFront.Security;

/// <summary>
/// Before WebFront serves: creates the key ring's first key if there is no key active now, under a PostgreSQL advisory
/// lock, then loads the ring. Left to itself, Data Protection creates a key on first use in every process that finds none,
/// and WebFronts starting together would each sign with their own key; under the lock the second one finds the first's.
/// </summary>
internal sealed class KeyRingInitializer(SqlXmlKeyRepository repository, SqlStoreDatabase database, IKeyManager keys,
    IDataProtectionProvider protection, IOptions<KeyManagementOptions> options, TimeProvider time, ILogger<KeyRingInitializer> logger) : IHostedService
{
    /// <summary>Beside <see cref="SchemaMigrator.PostgresLock"/> (7261000); held for the transaction only, so a crash releases it.</summary>
    public const string PostgresLock = "SELECT pg_advisory_xact_lock(7261001)";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await repository.InitializeAsync(cancellationToken);
        if (!database.IsPostgreSql)
        {
            EnsureActiveKey(); // embedded: one process owns the SQLite file
            return;
        }
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await DbCommands.ExecuteAsync(connection, transaction, PostgresLock, cancellationToken);
        EnsureActiveKey(); // the repository writes on its own connections; this one only holds the lock
        await transaction.CommitAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void EnsureActiveKey()
    {
        var now = time.GetUtcNow();
        var active = keys.GetAllKeys().FirstOrDefault(key => !key.IsRevoked && key.ActivationDate <= now && key.ExpirationDate > now);
        if (active is null)
        {
            active = keys.CreateNewKey(activationDate: now, expirationDate: now + options.Value.NewKeyLifetime);
            logger.LogInformation("Created Data Protection key {KeyId}, active until {Expiration}", active.KeyId, active.ExpirationDate);
        }
        // Load the ring now (and prove it round-trips) rather than on the first request.
        var protector = protection.CreateProtector("TicketFlow.KeyRingInitializer");
        if (protector.Unprotect(protector.Protect("ready")) != "ready")
            throw new InvalidOperationException("The Data Protection key ring does not round-trip.");
        logger.LogInformation("Data Protection key ring loaded from the store: {Keys} keys", keys.GetAllKeys().Count);
    }
}
