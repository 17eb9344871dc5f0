using QRCoder;

namespace TicketFlow.WebFront.Orders;

/// <summary>A ticket code as a QR image for the door scanner.</summary>
public static class TicketQr
{
    public const string SvgContentType = "image/svg+xml";

    /// <summary>An SVG QR code of <paramref name="code"/> (error correction level Q: still scans with a quarter of it smudged).</summary>
    public static string Svg(string code)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(code, QRCodeGenerator.ECCLevel.Q);
        return new SvgQRCode(data).GetGraphic(8);
    }
}
