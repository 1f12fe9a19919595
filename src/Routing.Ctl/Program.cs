using Routing.Ctl;

// Ctrl+C stops the running command (the end of `cluster tail`); at the interactive prompt it ends routingctl.
CancellationTokenSource? running = null;
var quit = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    if (running is { IsCancellationRequested: false } r)
    {
        e.Cancel = true;
        r.Cancel();
    }
    else quit.Cancel();
};

var terminal = !Console.IsOutputRedirected;
CtlApp.Input? input = null;
var historyFile = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".routingctl_history");
List<string> history = [];
if (!Console.IsInputRedirected)
{
    try
    {
        if (File.Exists(historyFile)) history = [.. File.ReadAllLines(historyFile).TakeLast(500)];
    }
    catch (IOException)
    {
        // no history then
    }
    input = new CtlApp.Input(Console.In, () => Console.ReadKey(intercept: true), history);
}

var rc = await CtlApp.RunAsync(args, Console.Out, Console.Error, input, terminal,
    () =>
    {
        running = CancellationTokenSource.CreateLinkedTokenSource(quit.Token);
        return running.Token;
    }, quit.Token);

if (input?.History is { Count: > 0 } h)
{
    try
    {
        File.WriteAllLines(historyFile, h.TakeLast(500));
    }
    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
    {
        // history is a convenience
    }
}
return rc;
