using TicketFlow.Domain.Security;

namespace TicketFlow.Domain.Tests.Security;

public sealed class NameCharactersTests
{
    [Theory]
    [InlineData("Ada\0Lovelace")] // NUL
    [InlineData("Ada\u0007")] // bell
    [InlineData("Ada\tLovelace")] // tab
    [InlineData("Ada\u202Egpj.exe")] // right-to-left override
    [InlineData("\u202AAda\u202C")] // left-to-right embedding, pop
    [InlineData("Ada\u2066x\u2069")] // left-to-right isolate, pop isolate
    [InlineData("A\u200Bda")] // zero-width space
    [InlineData("\uFEFFAda")] // zero-width no-break space (byte order mark)
    [InlineData("Ada\U000E0041")] // a tag character, outside the basic plane
    public void Control_and_format_characters_are_found(string name) => Assert.True(NameCharacters.HasControlOrFormat(name));

    [Theory]
    [InlineData("Ada Lovelace")]
    [InlineData("Zoë Ødegård-O'Neil")]
    [InlineData("李小龙")]
    [InlineData("محمد")]
    [InlineData("Ada 🎫")]
    public void Names_in_any_script_with_punctuation_and_emoji_pass(string name) => Assert.False(NameCharacters.HasControlOrFormat(name));
}
