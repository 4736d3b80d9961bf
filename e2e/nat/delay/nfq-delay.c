/*
 * nfq-delay: holds every packet of one NFQUEUE for a fixed time, then lets it go, in arrival order.
 *
 * The NAT lab's kernel has no netem (and cannot load modules), but it has nfnetlink_queue: a queue rule
 * (iptables-nft `-j NFQUEUE --queue-num Q`; this kernel lacks nft's own `queue`, see lab.sh) hands each
 * packet to this program, which accepts it DELAY_MS later. That adds DELAY_MS to
 * every packet the rule matches, the way a long link does, without touching the payload.
 *
 *   usage: nfq-delay QUEUE_NUM DELAY_MS      (run inside the namespace whose rule queues: nfqueue is per netns)
 *
 * Prints "nfq-delay: ready ..." on stdout once bound (add the queue rule only then: a queue rule without a
 * listener drops). SIGTERM/SIGINT: every held packet is accepted at once, a summary is printed, exit 0.
 *
 * Why it is built this way:
 * - Constant delay keeps order, so the held packets are a FIFO of (packet id, due time); the poll timeout
 *   is the time until the head is due. No jitter, no reordering.
 * - Verdicts are issued later, by id, as batch verdicts (NFQNL_MSG_VERDICT_BATCH accepts every queued packet
 *   with an id up to the given one). One message per poll wake-up, and a packet whose queue message was lost
 *   (netlink ENOBUFS) still leaves with the ones around it instead of being held forever.
 * - NFQNL_COPY_META: only the packet's metadata crosses to user space, not the payload (we never read it).
 * - Fail-open off: a full queue drops (as a full router buffer would) rather than bypassing the delay.
 *   NFQA_CFG_F_GSO on: the kernel need not segment large TCP packets just to show them to us.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <linux/netfilter.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

/* kernel queue length and our FIFO size: the kernel never hands us more than it holds, so the FIFO never
 * overflows. 64 Ki packets at 300 ms is ~210 k packets/s, far beyond what the lab sends. */
#define CAPACITY 65536u

struct held {
  uint32_t id;
  int64_t due_ns;
};

static struct held fifo[CAPACITY];
static uint32_t head, count, max_count;
static uint64_t delayed, enobufs;
static int64_t delay_ns;
static volatile sig_atomic_t stop;

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void on_signal(int sig) {
  (void)sig;
  stop = 1;
}

/* Called by nfq_handle_packet for each queued packet: remember it, decide later. */
static int on_packet(struct nfq_q_handle *qh, struct nfgenmsg *msg, struct nfq_data *nfa, void *data) {
  (void)qh, (void)msg, (void)data;
  struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfa);
  if (!ph) return 0;
  if (count == CAPACITY) return 0; /* cannot happen (queue maxlen = CAPACITY); the next batch frees it */
  fifo[(head + count) % CAPACITY] = (struct held){ntohl(ph->packet_id), now_ns() + delay_ns};
  count++;
  delayed++;
  if (count > max_count) max_count = count;
  return 0;
}

/* Accepts every held packet due by `until` with one batch verdict. */
static void release(struct nfq_q_handle *qh, int64_t until) {
  uint32_t n = 0, last = 0;
  while (n < count && fifo[(head + n) % CAPACITY].due_ns <= until) last = fifo[(head + n++) % CAPACITY].id;
  if (n == 0) return;
  if (nfq_set_verdict_batch(qh, last, NF_ACCEPT) < 0) perror("nfq-delay: verdict");
  head = (head + n) % CAPACITY;
  count -= n;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: nfq-delay QUEUE_NUM DELAY_MS\n");
    return 2;
  }
  int qnum = atoi(argv[1]);
  long ms = atol(argv[2]);
  if (qnum < 0 || qnum > 65535 || ms < 0 || ms > 60000) {
    fprintf(stderr, "nfq-delay: QUEUE_NUM 0..65535, DELAY_MS 0..60000\n");
    return 2;
  }
  delay_ns = (int64_t)ms * 1000000;

  struct nfq_handle *h = nfq_open();
  if (!h) return perror("nfq-delay: nfq_open"), 1;
  struct nfq_q_handle *qh = nfq_create_queue(h, (uint16_t)qnum, on_packet, NULL);
  if (!qh) return perror("nfq-delay: nfq_create_queue (queue taken, or no nfnetlink_queue?)"), 1;
  if (nfq_set_mode(qh, NFQNL_COPY_META, 0) < 0) return perror("nfq-delay: nfq_set_mode"), 1;
  if (nfq_set_queue_maxlen(qh, CAPACITY) < 0) return perror("nfq-delay: nfq_set_queue_maxlen"), 1;
  if (nfq_set_queue_flags(qh, NFQA_CFG_F_FAIL_OPEN | NFQA_CFG_F_GSO, NFQA_CFG_F_GSO) < 0)
    return perror("nfq-delay: nfq_set_queue_flags"), 1;
  /* room for a burst of queue messages between two wake-ups (root may exceed rmem_max) */
  nfnl_rcvbufsiz(nfq_nfnlh(h), 16 * 1024 * 1024);

  /* SIGTERM is blocked except while waiting in ppoll, so it cannot slip in between check and wait */
  sigset_t block, waitmask;
  sigemptyset(&block);
  sigaddset(&block, SIGTERM);
  sigaddset(&block, SIGINT);
  sigprocmask(SIG_BLOCK, &block, &waitmask);
  sigdelset(&waitmask, SIGTERM);
  sigdelset(&waitmask, SIGINT);
  struct sigaction sa = {.sa_handler = on_signal};
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);

  printf("nfq-delay: ready, queue %d, delay %ld ms\n", qnum, ms);
  fflush(stdout);

  int fd = nfq_fd(h);
  static char buf[65536];
  while (!stop) {
    release(qh, now_ns());
    struct timespec timeout, *tp = NULL;
    if (count > 0) {
      int64_t wait = fifo[head].due_ns - now_ns();
      if (wait < 0) wait = 0;
      timeout = (struct timespec){wait / 1000000000, wait % 1000000000};
      tp = &timeout;
    }
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    int r = ppoll(&pfd, 1, tp, &waitmask);
    if (r < 0 && errno != EINTR) return perror("nfq-delay: ppoll"), 1;
    if (r <= 0) continue;
    for (;;) { /* drain everything queued now, so arrival times stay exact */
      ssize_t len = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
      if (len >= 0) {
        nfq_handle_packet(h, buf, (int)len);
      } else if (errno == ENOBUFS) {
        enobufs++; /* messages lost; those packets leave with the next batch verdict */
      } else if (errno == EAGAIN || errno == EINTR) {
        break;
      } else {
        return perror("nfq-delay: recv"), 1;
      }
    }
  }
  release(qh, INT64_MAX); /* let everything still held go now, not be dropped by the unbind */
  printf("nfq-delay: stopped, %llu packets delayed, at most %u held, %llu netlink overruns\n",
         (unsigned long long)delayed, max_count, (unsigned long long)enobufs);
  fflush(stdout);
  nfq_destroy_queue(qh);
  nfq_close(h);
  return 0;
}
