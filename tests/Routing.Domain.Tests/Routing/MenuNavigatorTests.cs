using System.Collections.Immutable;
using Routing.Domain.Config;
using Routing.Domain.Routing;

namespace Routing.Domain.Tests.Routing;

public class MenuNavigatorTests
{
    private static MenuNode Node(string prompt, int maxRetries = 2, MenuAction? onTimeout = null, params (char Key, MenuAction Action)[] options) =>
        new(prompt, options.ToImmutableDictionary(o => o.Key, o => o.Action), TimeoutSeconds: 5, maxRetries, onTimeout);

    private static readonly MenuNode Billing = Node("billing menu", 1, null,
        ('1', new MenuAction.ToQueue("invoices")),
        ('0', new MenuAction.Back()));

    private static readonly MenuNode Root = Node("main menu", 2, new MenuAction.ToQueue("general"),
        ('1', new MenuAction.ToQueue("sales")),
        ('2', new MenuAction.SubMenu(Billing)),
        ('3', new MenuAction.Info("We are open 9 to 6")),
        ('9', new MenuAction.ToExternal("sip:pbx@client.example")),
        ('0', new MenuAction.Back()));

    private static readonly MenuPosition InBilling = new("2", 0);

    [Fact]
    public void A_call_starts_at_the_root_menu()
    {
        Assert.Equal(new MenuOutcome.Prompt(MenuPosition.Root, Root, MenuPromptReason.Start), MenuNavigator.Start(Root));
    }

    [Fact]
    public void A_digit_leading_to_a_queue_leaves_the_menu_for_that_queue()
    {
        Assert.Equal(new MenuOutcome.Queue("sales"), MenuNavigator.Press(Root, MenuPosition.Root, '1'));
        Assert.Equal(new MenuOutcome.Queue("invoices"), MenuNavigator.Press(Root, InBilling, '1'));
    }

    [Fact]
    public void A_digit_leading_to_a_sub_menu_enters_it_and_the_position_records_the_path()
    {
        var outcome = MenuNavigator.Press(Root, MenuPosition.Root, '2');

        var prompt = Assert.IsType<MenuOutcome.Prompt>(outcome);
        Assert.Equal(InBilling, prompt.Position);
        Assert.Same(Billing, prompt.Node);
        Assert.Equal(MenuPromptReason.Entered, prompt.Reason);
        Assert.Same(Billing, MenuNavigator.NodeAt(Root, prompt.Position));
    }

    [Fact]
    public void An_info_option_plays_its_text_and_stays_in_the_current_menu()
    {
        var outcome = MenuNavigator.Press(Root, MenuPosition.Root with { Retries = 1 }, '3');

        Assert.Equal(new MenuOutcome.Info("We are open 9 to 6", MenuPosition.Root, Root, ThenDisconnect: false), outcome);
    }

    [Fact]
    public void An_external_option_hands_the_call_to_its_uri()
    {
        Assert.Equal(new MenuOutcome.External("sip:pbx@client.example"), MenuNavigator.Press(Root, MenuPosition.Root, '9'));
    }

    [Fact]
    public void Back_returns_to_the_parent_menu_and_at_the_root_replays_the_root()
    {
        Assert.Equal(new MenuOutcome.Prompt(MenuPosition.Root, Root, MenuPromptReason.Back), MenuNavigator.Press(Root, InBilling, '0'));
        Assert.Equal(new MenuOutcome.Prompt(MenuPosition.Root, Root, MenuPromptReason.Back), MenuNavigator.Press(Root, MenuPosition.Root, '0'));
    }

    [Fact]
    public void An_invalid_digit_replays_the_menu_and_counts_a_retry()
    {
        var first = Assert.IsType<MenuOutcome.Prompt>(MenuNavigator.Press(Root, MenuPosition.Root, '7'));
        Assert.Equal(new MenuPosition("", 1), first.Position);
        Assert.Equal(MenuPromptReason.InvalidDigit, first.Reason);

        var second = Assert.IsType<MenuOutcome.Prompt>(MenuNavigator.Press(Root, first.Position, '*'));
        Assert.Equal(new MenuPosition("", 2), second.Position);
    }

    [Fact]
    public void A_timeout_replays_the_menu_like_an_invalid_digit()
    {
        var outcome = Assert.IsType<MenuOutcome.Prompt>(MenuNavigator.Timeout(Root, InBilling));

        Assert.Equal(new MenuPosition("2", 1), outcome.Position);
        Assert.Equal(MenuPromptReason.NoInput, outcome.Reason);
    }

    [Fact]
    public void When_retries_are_exhausted_the_on_timeout_action_is_taken()
    {
        var exhausted = new MenuPosition("", 2);

        Assert.Equal(new MenuOutcome.Queue("general"), MenuNavigator.Timeout(Root, exhausted));
        Assert.Equal(new MenuOutcome.Queue("general"), MenuNavigator.Press(Root, exhausted, '7'));
    }

    [Fact]
    public void When_retries_are_exhausted_without_an_on_timeout_action_the_call_is_disconnected()
    {
        Assert.IsType<MenuOutcome.Disconnect>(MenuNavigator.Timeout(Root, new MenuPosition("2", 1)));
    }

    [Fact]
    public void A_valid_digit_after_retries_resets_the_count()
    {
        var outcome = Assert.IsType<MenuOutcome.Prompt>(MenuNavigator.Press(Root, new MenuPosition("", 2), '2'));

        Assert.Equal(InBilling, outcome.Position);
    }

    [Fact]
    public void An_on_timeout_sub_menu_is_entered_and_can_be_found_again_from_its_position()
    {
        var fallback = Node("fallback", 0, null, ('1', new MenuAction.ToQueue("x")));
        var root = Node("root", 0, new MenuAction.SubMenu(fallback));

        var prompt = Assert.IsType<MenuOutcome.Prompt>(MenuNavigator.Timeout(root, MenuPosition.Root));

        Assert.Equal(new MenuPosition("~", 0), prompt.Position);
        Assert.Same(fallback, MenuNavigator.NodeAt(root, prompt.Position));
        Assert.Equal(new MenuOutcome.Queue("x"), MenuNavigator.Press(root, prompt.Position, '1'));
    }

    [Fact]
    public void An_on_timeout_info_is_played_before_hanging_up()
    {
        var root = Node("root", 0, new MenuAction.Info("Please call again"));

        var info = Assert.IsType<MenuOutcome.Info>(MenuNavigator.Timeout(root, MenuPosition.Root));

        Assert.True(info.ThenDisconnect);
    }

    [Fact]
    public void An_on_timeout_back_at_the_root_disconnects_instead_of_looping()
    {
        var root = Node("root", 0, new MenuAction.Back());

        Assert.IsType<MenuOutcome.Disconnect>(MenuNavigator.Timeout(root, MenuPosition.Root));
    }

    [Fact]
    public void A_position_the_menu_no_longer_has_restarts_at_the_root()
    {
        Assert.Null(MenuNavigator.NodeAt(Root, new MenuPosition("25", 0)));
        Assert.Equal(MenuNavigator.Start(Root), MenuNavigator.Press(Root, new MenuPosition("25", 0), '1'));
    }
}
