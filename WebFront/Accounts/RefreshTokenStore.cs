using System.Security.Cryptography;
using System.Text;
using TicketFlow.Data;

namespace TicketFlow.WebFront.Accounts;

/// <summary>What presenting a refresh token came to: the user and family to issue a new pair in, or why not.</summary>
public sealed record RefreshOutcome(string? UserId, string? FamilyId, string? ProblemCode);

/// <summary>
/// Refresh tokens of bearer sessions: opaque random values, stored as SHA-256 hashes, each in a family (one sign-in and
/// its rotations). A token is spent by its one use; a spent token presented again means two parties hold it, so the whole
/// family is revoked (deleted) and neither can refresh again.
/// </summary>
public sealed class RefreshTokenStore(SqlStoreDatabase database, TimeProvider time)
{
    /// <summary>A new token in <paramref name="familyId"/>, valid for <paramref name="lifetime"/>; expired rows of the user go.</summary>
    public async Task<string> IssueAsync(string userId, string familyId, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        var token = Base64Url(RandomNumberGenerator.GetBytes(32));
        var now = time.GetUtcNow();
        await using var connection = await database.OpenAsync(cancellationToken);
        await DbCommands.ExecuteAsync(connection, null, "DELETE FROM tf_refresh_tokens WHERE user_id = @user AND expires_at_ms < @now",
            cancellationToken, ("@user", userId), ("@now", now.ToUnixTimeMilliseconds()));
        await DbCommands.ExecuteAsync(connection, null, """
            INSERT INTO tf_refresh_tokens (token_hash, family_id, user_id, expires_at_ms, spent) VALUES (@hash, @family, @user, @expires, 0)
            """, cancellationToken, ("@hash", Hash(token)), ("@family", familyId), ("@user", userId), ("@expires", (now + lifetime).ToUnixTimeMilliseconds()));
        return token;
    }

    /// <summary>Spends <paramref name="token"/> (at most one caller succeeds); a spent one revokes its family.</summary>
    public async Task<RefreshOutcome> SpendAsync(string token, CancellationToken cancellationToken)
    {
        var hash = Hash(token);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using (var spend = DbCommands.Create(connection, null, """
            UPDATE tf_refresh_tokens SET spent = 1 WHERE token_hash = @hash AND spent = 0 AND expires_at_ms > @now RETURNING user_id, family_id
            """, ("@hash", hash), ("@now", time.GetUtcNow().ToUnixTimeMilliseconds())))
        await using (var reader = await spend.ExecuteReaderAsync(cancellationToken))
        {
            if (await reader.ReadAsync(cancellationToken)) return new RefreshOutcome(reader.GetString(0), reader.GetString(1), null);
        }
        await using var find = DbCommands.Create(connection, null, "SELECT family_id FROM tf_refresh_tokens WHERE token_hash = @hash AND spent = 1", ("@hash", hash));
        if (await find.ExecuteScalarAsync(cancellationToken) is not string family) return new RefreshOutcome(null, null, ProblemCodes.InvalidRefreshToken);
        await DbCommands.ExecuteAsync(connection, null, "DELETE FROM tf_refresh_tokens WHERE family_id = @family", cancellationToken, ("@family", family));
        return new RefreshOutcome(null, family, ProblemCodes.RefreshTokenReused);
    }

    /// <summary>Ends one bearer session's refreshing (sign-out of that session).</summary>
    public async Task RevokeFamilyAsync(string familyId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await DbCommands.ExecuteAsync(connection, null, "DELETE FROM tf_refresh_tokens WHERE family_id = @family", cancellationToken, ("@family", familyId));
    }

    /// <summary>The family of a token still held (spent or not), to sign out the session it belongs to; null when unknown.</summary>
    public async Task<string?> FamilyOfAsync(string token, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var find = DbCommands.Create(connection, null, "SELECT family_id FROM tf_refresh_tokens WHERE token_hash = @hash", ("@hash", Hash(token)));
        return await find.ExecuteScalarAsync(cancellationToken) as string;
    }

    /// <summary>Ends every bearer session's refreshing of the user (sign out everywhere, new password, new roles).</summary>
    public async Task RevokeUserAsync(string userId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await DbCommands.ExecuteAsync(connection, null, "DELETE FROM tf_refresh_tokens WHERE user_id = @user", cancellationToken, ("@user", userId));
    }

    public static string NewFamilyId() => Base64Url(RandomNumberGenerator.GetBytes(16));

    private static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string Base64Url(byte[] bytes) => Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlEncode(bytes);
}
