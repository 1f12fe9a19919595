using Routing.Domain.Queues;

namespace Routing.Domain.Tests.Queues;

/// <summary>The queue's side of leaving: a repeated Dequeue (the call repeats it until acknowledged) is counted once.</summary>
public class QueueStateTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 5, 10, 0, 0, TimeSpan.Zero);
    private static readonly CallId C1 = new("demo/c1");

    private static QueueState Run(QueueState s, IEnumerable<QueueEvent> events) => events.Aggregate(s, (st, e) => st.Apply(e));

    [Fact]
    public void A_repeated_dequeue_is_counted_once()
    {
        var s = Run(QueueState.Initial, QueueState.Initial.Enqueue(C1, 0, T0, T0));
        s = Run(s, s.Dequeue(C1, DequeueReason.Abandoned, T0.AddSeconds(30), 0, T0));
        Assert.Equal(1, s.Figures.Abandoned);
        Assert.Empty(s.Waiting);

        // The acknowledgement was lost; the call says it again, with its queueing time.
        Assert.Empty(s.Dequeue(C1, DequeueReason.Abandoned, T0.AddSeconds(33), 0, T0));
        Assert.Equal(1, s.Figures.Offered);
    }

    [Fact]
    public void A_call_whose_enqueue_was_lost_is_still_counted_when_it_leaves()
    {
        // The call queued here at T0, but its Enqueue died with a node; then the caller hung up.
        var events = QueueState.Initial.Dequeue(C1, DequeueReason.Abandoned, T0.AddSeconds(12), 0, T0);
        var s = Run(QueueState.Initial, events);
        Assert.Equal(1, s.Figures.Offered);
        Assert.Equal(1, s.Figures.Abandoned);
        Assert.Empty(s.Waiting);
        Assert.Empty(s.Dequeue(C1, DequeueReason.Abandoned, T0.AddSeconds(15), 0, T0));
        // Without a queueing time nothing is invented.
        Assert.Empty(QueueState.Initial.Dequeue(C1, DequeueReason.Abandoned, T0, 0, null));
    }

    [Fact]
    public void A_call_back_in_the_queue_after_a_transfer_can_leave_it_again()
    {
        var s = Run(QueueState.Initial, QueueState.Initial.Enqueue(C1, 0, T0, T0));
        s = Run(s, s.Dequeue(C1, DequeueReason.Transferred, T0.AddSeconds(5)));
        s = Run(s, s.Enqueue(C1, 0, T0, T0.AddSeconds(60)));
        s = Run(s, s.Dequeue(C1, DequeueReason.Answered, T0.AddSeconds(70)));
        Assert.Equal(1, s.Figures.Answered);
        Assert.Empty(s.Waiting);
    }

    [Fact]
    public void The_memory_of_dequeued_calls_is_bounded()
    {
        var s = QueueState.Initial;
        for (var i = 0; i < QueueState.DoneMemory + 10; i++)
        {
            var c = new CallId($"demo/c{i}");
            s = Run(s, s.Enqueue(c, 0, T0, T0));
            s = Run(s, s.Dequeue(c, DequeueReason.Answered, T0.AddSeconds(1)));
        }
        Assert.Equal(QueueState.DoneMemory, s.Done.Count);
        Assert.DoesNotContain(new CallId("demo/c0"), s.Done);
    }
}
