using System.IO.Compression;
using Microsoft.Net.Http.Headers;

namespace TicketFlow.WebFront.Seating;

/// <summary>
/// A JSON body encoded once and served many times, raw, gzip or Brotli by the client's Accept-Encoding: a stadium's
/// layout (megabytes) and a hot seat map's status are compressed once per change, not once per request.
/// </summary>
public sealed class EncodedPayload
{
    private EncodedPayload(byte[] raw, byte[] gzip, byte[] brotli) => (Raw, Gzip, Brotli) = (raw, gzip, brotli);

    public byte[] Raw { get; }
    public byte[] Gzip { get; }
    public byte[] Brotli { get; }

    public static EncodedPayload Of(byte[] json, CompressionLevel level) => new(json, Compress(json, s => new GZipStream(s, level)),
        Compress(json, s => new BrotliStream(s, level)));

    /// <summary>Writes the smallest encoding the client accepts, with its headers.</summary>
    public Task WriteAsync(HttpContext http, string cacheControl)
    {
        var accepted = http.Request.Headers.AcceptEncoding.ToString();
        var (body, encoding) = accepted.Contains("br", StringComparison.OrdinalIgnoreCase) ? (Brotli, "br")
            : accepted.Contains("gzip", StringComparison.OrdinalIgnoreCase) ? (Gzip, "gzip")
            : (Raw, null);
        var response = http.Response;
        response.ContentType = "application/json; charset=utf-8";
        response.Headers.CacheControl = cacheControl;
        response.Headers.Vary = HeaderNames.AcceptEncoding;
        if (encoding is not null) response.Headers.ContentEncoding = encoding;
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body).AsTask();
    }

    private static byte[] Compress(byte[] data, Func<Stream, Stream> encoder)
    {
        using var output = new MemoryStream();
        using (var stream = encoder(output)) stream.Write(data);
        return output.ToArray();
    }
}
