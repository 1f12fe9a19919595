using System.Globalization;
using Routing.Cluster.Facade;
using Routing.Domain;
using Xunit;

namespace Routing.Cluster.Tests;

public sealed class ArrivalExportTests
{
    [Fact]
    public async Task The_journal_exports_each_waiting_caller_with_queue_talk_time_and_patience_for_the_simulator()
    {
        using var db = new TempDb();
        await using var node = await TestNode.StartAsync(db.Path, TestConfigs.Build());
        var svc = node.Service;

        // One caller gives up while waiting in support; one is answered in sales; one never leaves the menu.
        var gaveUp = await svc.OfferCall(new OfferCallRequest("1000", "+1", "2"));
        await svc.CallAction(new CallId(gaveUp.Id), new CallAction.HangUp("caller"));
        await svc.OfferCall(new OfferCallRequest("1000", "+3", null));
        await svc.OperatorAction(new("2001"), new OperatorAction.LogIn());
        await svc.OperatorAction(new("2001"), new OperatorAction.Ready());
        var answered = await svc.OfferCall(new OfferCallRequest("1000", "+2", "1"));
        await Eventually.Holds(async () => Assert.Equal("ringing", (await svc.GetCall(new CallId(answered.Id))).State));
        await svc.CallAction(new CallId(answered.Id), new CallAction.Answer(new OperatorId("2001")));
        await svc.CallAction(new CallId(answered.Id), new CallAction.HangUp("caller"));

        var csv = await svc.ExportArrivalsCsv(TestConfigs.Demo, null, null);
        var lines = csv.TrimEnd('\n').Split('\n');
        Assert.Equal("time,queue,talk,patience", lines[0]);
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(2, rows.Count); // the menu-only call never waited
        var times = rows.Select(r => DateTimeOffset.Parse(r[0], CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(times.OrderBy(t => t), times);

        var support = Assert.Single(rows, r => r[1] == "demo/support");
        Assert.Equal("", support[2]);
        Assert.True(double.Parse(support[3], CultureInfo.InvariantCulture) >= 0);
        var sales = Assert.Single(rows, r => r[1] == "demo/sales");
        Assert.True(double.Parse(sales[2], CultureInfo.InvariantCulture) >= 0);
        Assert.Equal("", sales[3]);

        await Assert.ThrowsAsync<RoutingException>(() => svc.ExportArrivalsCsv(new TenantId("nobody"), null, null));
    }
}
