namespace Routing.Tests.Shared;

/// <summary>
/// The tests' AwaitAssert (compiled into the cluster and the integration tests): state that other actors update
/// after the event a test waited for (an operator's handled-call count after the caller's BYE, a node's view after a
/// leave, a call re-offered after a move) is checked again until it holds or the time is up; then the last failure
/// is the test's failure.
/// </summary>
public static class Eventually
{
    public static async Task Holds(Func<Task> check, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            try
            {
                await check();
                return;
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    public static Task Holds(Action check, TimeSpan? within = null) => Holds(() =>
    {
        check();
        return Task.CompletedTask;
    }, within);
}
