using System.Net;
using Xunit;
using static Routing.Api.Tests.NodeFixture;

namespace Routing.Api.Tests;

[Collection(NodeCollection.Name)]
public sealed class ArrivalExportTests(NodeFixture node)
{
    [Fact]
    public async Task A_tenant_exports_its_recorded_arrivals_as_csv_and_no_other_tenants()
    {
        using var demo = node.Client(DemoKey);
        string location;
        using (var offered = await demo.PostAsync("/api/calls", Http.Json(new { number = "1000", caller = "+4930999", digits = "2" })))
        {
            Assert.Equal(HttpStatusCode.Created, offered.StatusCode);
            location = offered.Headers.Location!.OriginalString;
        }
        await demo.PostAsync($"{location}/hangup", Http.Json(new { side = "caller" })).Expect(HttpStatusCode.OK);

        using var csv = await demo.GetAsync("/api/tenants/demo/arrivals.csv?from=2000-01-01T00:00:00Z");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
        var lines = (await csv.Content.ReadAsStringAsync()).TrimEnd('\n').Split('\n');
        Assert.Equal("time,queue,talk,patience", lines[0]);
        Assert.Contains(lines.Skip(1), l => l.Split(',') is [_, "demo/support", "", var patience] && patience.Length > 0);

        using var acme = node.Client(AcmeKey);
        Assert.Equal(HttpStatusCode.NotFound, (await acme.GetAsync("/api/tenants/demo/arrivals.csv")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await demo.GetAsync("/api/tenants/demo/arrivals.csv?from=yesterday")).StatusCode);
    }
}
