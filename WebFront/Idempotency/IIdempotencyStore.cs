namespace TicketFlow.WebFront.Idempotency;

/// <summary>A response remembered for an Idempotency-Key.</summary>
public sealed record StoredResponse(int StatusCode, string? ContentType, string? Location, byte[] Body);

public enum BeginOutcome { Began, InProgress, Completed, Mismatch }

/// <param name="Response">Set when <see cref="Outcome"/> is Completed.</param>
/// <param name="ClaimedAt">When <see cref="Outcome"/> is InProgress: when the unfinished request claimed the key (null if not known).</param>
public sealed record BeginResult(BeginOutcome Outcome, StoredResponse? Response = null, DateTimeOffset? ClaimedAt = null);

/// <summary>Durable Idempotency-Key records, per user: the first request claims the key, its response is kept until expiry.</summary>
public interface IIdempotencyStore
{
    /// <summary>Creates or migrates the table. A store only one process uses (embedded mode, SQLite) also releases every
    /// unfinished claim: at start they can only be its previous run's, whose requests died with it.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Claims the key for this request, or says what the earlier request with the key did. Expired records are replaced,
    /// and so are claims still unfinished since before <paramref name="staleBefore"/> (their request died with its process).
    /// </summary>
    Task<BeginResult> TryBeginAsync(string userId, string key, string requestHash, DateTimeOffset now, DateTimeOffset expiresAt,
        DateTimeOffset staleBefore, CancellationToken cancellationToken);

    Task CompleteAsync(string userId, string key, StoredResponse response, CancellationToken cancellationToken);

    /// <summary>Forgets a claim whose request failed without a result worth replaying, so a retry runs again.</summary>
    Task AbandonAsync(string userId, string key, CancellationToken cancellationToken);
}
