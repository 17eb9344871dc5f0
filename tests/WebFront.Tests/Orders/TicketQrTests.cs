using System.Xml.Linq;
using TicketFlow.WebFront.Orders;

namespace TicketFlow.WebFront.Tests.Orders;

public sealed class TicketQrTests
{
    [Fact]
    public void A_code_becomes_an_svg_image_that_grows_with_its_content()
    {
        var small = XDocument.Parse(TicketQr.Svg("tkt_a.1.sig"));
        var large = XDocument.Parse(TicketQr.Svg("tkt_abcdefghij234567.12." + new string('s', 43)));

        Assert.Equal("svg", small.Root!.Name.LocalName);
        Assert.True(Width(large) > Width(small), "a longer code needs a larger QR version");
    }

    private static int Width(XDocument svg) => int.Parse(svg.Root!.Attribute("width")!.Value.Replace("px", ""));
}
