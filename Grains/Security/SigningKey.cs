using System.Security.Cryptography;
using System.Text;
using System.Buffers.Text;

namespace TicketFlow.Grains.Security;

/// <summary>The project's HMAC key: signs ticket codes and admission tokens so they verify without a lookup.</summary>
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

    /// <summary>The key in <paramref name="path"/>, created with random bytes on first use (embedded mode keeps it beside its data).</summary>
    public static SigningKey FromFile(string path)
    {
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            File.WriteAllText(path, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        }
        return FromBase64(File.ReadAllText(path).Trim());
    }

    public string Sign(string payload) => Base64Url.EncodeToString(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(payload)));

    /// <summary>Constant-time comparison with the one canonical spelling of the signature.</summary>
    public bool Verify(string payload, string signature) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(payload)), Encoding.ASCII.GetBytes(signature));
}
