using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace TicketFlow.Domain.Security;

/// <summary>
/// The project's HMAC key: signs ticket codes and admission tokens so they verify without a lookup. Where the key comes
/// from (configuration, or a file made on the first embedded start) is the host's business (WebFront/Security).
/// </summary>
public sealed class SigningKey
{
    private readonly byte[] key;

    public SigningKey(byte[] key)
    {
        if (key.Length < 32) throw new ArgumentException("A signing key needs at least 32 bytes.", nameof(key));
        this.key = key;
    }

    public static SigningKey FromBase64(string value) => new(Convert.FromBase64String(value));

    public string ToBase64() => Convert.ToBase64String(key);

    public string Sign(string payload) => Base64Url.EncodeToString(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(payload)));

    /// <summary>Constant-time comparison with the one canonical spelling of the signature.</summary>
    public bool Verify(string payload, string signature) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(payload)), Encoding.ASCII.GetBytes(signature));
}
