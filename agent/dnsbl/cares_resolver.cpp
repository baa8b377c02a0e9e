// cares_resolver.cpp — the c-ares engine: one channel, a window of queries in flight, poll() loop.
//
// Bounds: at most max_in_flight queries on the wire, in an adaptive window (classifiers/limits.hpp:
// starts at k_dnsbl_initial_window, grows only while answers take long, halves on a timeout, so a
// loopback server's UDP buffer never overflows and a distant resolver still sees the whole batch in a
// round trip or two); each query ends by answer, by c-ares's own
// timeout/tries, or by cancellation when the whole batch makes no progress for longer than one query
// can take (a guard against a stuck channel, never expected to fire).
#include "agent/dnsbl/cares_resolver.hpp"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <ares.h>
#include <poll.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <mutex>

#include "agent/dnsbl/dns_message.hpp"
#include "classifiers/limits.hpp"

namespace ndr::agent::dnsbl {
namespace {

std::once_flag g_ares_init;

bool parse_port(std::string_view s, int& port) {
    if (s.empty() || s.size() > 5) return false;
    int v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return false;
        v = v * 10 + (c - '0');
    }
    if (v < 1 || v > 65535) return false;
    port = v;
    return true;
}

bool is_ipv4(const std::string& s) {
    unsigned char buf[4];
    return inet_pton(AF_INET, s.c_str(), buf) == 1;
}
bool is_ipv6(const std::string& s) {
    unsigned char buf[16];
    return inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

} // namespace

std::expected<std::string, std::string> normalise_server_spec(const std::string& spec) {
    auto bad = [&spec](const char* why) {
        return std::unexpected("bad resolver \"" + spec + "\": " + why + " (want IP[:PORT] or [IPv6]:PORT)");
    };
    std::string host;
    int port = 53;
    if (!spec.empty() && spec.front() == '[') {
        auto close = spec.find(']');
        if (close == std::string::npos) return bad("missing ']'");
        host = spec.substr(1, close - 1);
        std::string rest = spec.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':' || !parse_port(std::string_view(rest).substr(1), port)) return bad("bad port");
        }
        if (!is_ipv6(host)) return bad("not an IPv6 address");
    } else if (std::count(spec.begin(), spec.end(), ':') > 1) {
        host = spec;
        if (!is_ipv6(host)) return bad("not an IPv6 address");
    } else {
        auto colon = spec.find(':');
        host = spec.substr(0, colon);
        if (colon != std::string::npos && !parse_port(std::string_view(spec).substr(colon + 1), port))
            return bad("bad port");
        if (!is_ipv4(host)) return bad("not an IPv4 address (host names are not accepted)");
        return host + ":" + std::to_string(port);
    }
    return "[" + host + "]:" + std::to_string(port);
}

struct CaresResolver::Impl {
    ares_channel channel = nullptr;
    CaresOptions options;

    ~Impl() {
        if (channel) ares_destroy(channel);
    }
};

namespace {

int wire_type(QueryType type) {
    switch (type) {
    case QueryType::a: return ns_t_a;
    case QueryType::txt: return ns_t_txt;
    case QueryType::ptr: return ns_t_ptr;
    case QueryType::aaaa: return ns_t_aaaa;
    }
    return ns_t_a;
}

struct Batch;
struct Pending {
    Batch* batch = nullptr;
    std::size_t index = 0;
};
struct Batch {
    std::span<const Query> queries;
    std::vector<Answer> answers;
    std::vector<Pending> pending;
    std::size_t next = 0;
    std::size_t in_flight = 0;
    std::size_t done = 0;
    std::size_t answered_since_check = 0; // answers (of any kind) since the window was last adjusted
    bool timed_out = false;               // a try timed out since the window was last adjusted
};

void on_answer(void* arg, int status, int timeouts, unsigned char* abuf, int alen) {
    auto* p = static_cast<Pending*>(arg);
    Batch& b = *p->batch;
    ++b.answered_since_check;
    if (timeouts > 0 || status == ARES_ETIMEOUT) b.timed_out = true;
    Answer& a = b.answers[p->index];
    if (abuf && alen > 0 && status != ARES_ECANCELLED && status != ARES_EDESTRUCTION) {
        a = parse_dns_response(std::span<const std::uint8_t>(abuf, static_cast<std::size_t>(alen)),
                               b.queries[p->index].type);
    } else {
        a = Answer{};
        switch (status) {
        case ARES_ETIMEOUT: a.status = AnswerStatus::timeout; a.detail = "timeout"; break;
        case ARES_ECONNREFUSED: a.status = AnswerStatus::error; a.detail = "connection refused"; break;
        default: a.status = AnswerStatus::error; a.detail = ares_strerror(status); break;
        }
    }
    --b.in_flight;
    ++b.done;
}

} // namespace

CaresResolver::CaresResolver(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
CaresResolver::~CaresResolver() = default;

std::expected<std::unique_ptr<CaresResolver>, std::string> CaresResolver::create(const CaresOptions& options) {
    int init_rc = ARES_SUCCESS;
    std::call_once(g_ares_init, [&init_rc] { init_rc = ares_library_init(ARES_LIB_INIT_ALL); });
    if (init_rc != ARES_SUCCESS) return std::unexpected(std::string("c-ares: ") + ares_strerror(init_rc));
    if (options.timeout_ms < 1) return std::unexpected(std::string("timeout must be at least 1 ms"));
    if (options.tries < 1) return std::unexpected(std::string("tries must be at least 1"));

    std::string csv;
    for (const auto& spec : options.servers) {
        auto norm = normalise_server_spec(spec);
        if (!norm) return std::unexpected(norm.error());
        if (!csv.empty()) csv += ",";
        csv += *norm;
    }

    auto impl = std::make_unique<Impl>();
    impl->options = options;
    if (impl->options.max_in_flight == 0 || impl->options.max_in_flight > classifiers::k_max_dnsbl_in_flight)
        impl->options.max_in_flight = classifiers::k_max_dnsbl_in_flight;

    ares_options opts{};
    char lookups[] = "b";
    opts.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES | ARES_FLAG_NOCHECKRESP;
    opts.timeout = options.timeout_ms;
    opts.tries = options.tries;
    opts.ndots = 0;
    opts.lookups = lookups;
    int mask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_NDOTS | ARES_OPT_LOOKUPS;
    int rc = ares_init_options(&impl->channel, &opts, mask);
    if (rc != ARES_SUCCESS) return std::unexpected(std::string("c-ares: ") + ares_strerror(rc));
    if (!csv.empty()) {
        rc = ares_set_servers_ports_csv(impl->channel, csv.c_str());
        if (rc != ARES_SUCCESS) return std::unexpected("c-ares: cannot use resolvers " + csv + ": " + ares_strerror(rc));
    }
    return std::unique_ptr<CaresResolver>(new CaresResolver(std::move(impl)));
}

std::vector<Answer> CaresResolver::resolve(std::span<const Query> queries) {
    Batch b;
    b.queries = queries;
    b.answers.resize(queries.size());
    b.pending.resize(queries.size());
    ares_channel ch = m_impl->channel;
    const std::size_t max_window = m_impl->options.max_in_flight;
    std::size_t window = std::min(classifiers::k_dnsbl_initial_window, max_window);
    using clock = std::chrono::steady_clock;
    auto last_answer = clock::now();
    auto last_growth = last_answer;

    // Grows the window while it is full and no answer has come for k_dnsbl_grow_after_ms (the path
    // has latency: more in flight costs the server nothing extra per moment); halves it on a timeout.
    auto adjust_window = [&](clock::time_point now) {
        if (b.timed_out) {
            window = std::max<std::size_t>(1, window / 2);
            b.timed_out = false;
        }
        if (b.answered_since_check > 0) {
            last_answer = now;
            b.answered_since_check = 0;
            return;
        }
        using std::chrono::milliseconds;
        if (b.next < queries.size() && b.in_flight >= window && window < max_window &&
            now - last_answer >= milliseconds(classifiers::k_dnsbl_grow_after_ms) && now - last_growth >= milliseconds(1)) {
            window = std::min(max_window, window + classifiers::k_dnsbl_window_step);
            last_growth = now;
        }
    };

    auto pump = [&] {
        while (b.next < queries.size() && b.in_flight < window) {
            std::size_t i = b.next++;
            b.pending[i] = Pending{&b, i};
            ++b.in_flight;
            const int type = wire_type(queries[i].type);
            ares_query(ch, queries[i].name.c_str(), ns_c_in, type, on_answer, &b.pending[i]);
        }
    };

    // Longest one query may take: timeout doubled on each try, on each server, plus slack.
    long long per_query_ms = 1000;
    for (int t = 0; t < m_impl->options.tries && t < 16; ++t) per_query_ms += static_cast<long long>(m_impl->options.timeout_ms) << t;
    // Every server is tried in turn (resolv.conf holds at most 3).
    per_query_ms *= static_cast<long long>(m_impl->options.servers.empty() ? 3 : m_impl->options.servers.size());
    auto last_progress = clock::now();
    std::size_t last_done = 0;

    pump();
    while (b.done < queries.size()) {
        ares_socket_t socks[ARES_GETSOCK_MAXNUM];
        int bits = ares_getsock(ch, socks, ARES_GETSOCK_MAXNUM);
        pollfd fds[ARES_GETSOCK_MAXNUM];
        nfds_t nfds = 0;
        for (int i = 0; i < ARES_GETSOCK_MAXNUM; ++i) {
            short events = 0;
            if (ARES_GETSOCK_READABLE(bits, i)) events |= POLLIN;
            if (ARES_GETSOCK_WRITABLE(bits, i)) events |= POLLOUT;
            if (!events) continue;
            fds[nfds].fd = socks[i];
            fds[nfds].events = events;
            fds[nfds].revents = 0;
            ++nfds;
        }
        timeval tv{};
        timeval* tvp = ares_timeout(ch, nullptr, &tv);
        int wait_ms = tvp ? static_cast<int>(tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000) : 100;
        if (wait_ms > 1000) wait_ms = 1000;
        if (b.next < queries.size() && window < max_window && wait_ms > 1) wait_ms = 1; // to grow the window
        int rc = poll(fds, nfds, wait_ms);
        if (rc <= 0) {
            ares_process_fd(ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
        } else {
            for (nfds_t i = 0; i < nfds; ++i) {
                if (!fds[i].revents) continue;
                bool readable = fds[i].revents & (POLLIN | POLLERR | POLLHUP);
                bool writable = fds[i].revents & POLLOUT;
                ares_process_fd(ch, readable ? fds[i].fd : ARES_SOCKET_BAD, writable ? fds[i].fd : ARES_SOCKET_BAD);
            }
        }
        auto now = clock::now();
        adjust_window(now);
        pump();
        if (b.done != last_done) {
            last_done = b.done;
            last_progress = now;
        } else if (std::chrono::duration_cast<std::chrono::milliseconds>(now - last_progress).count() > per_query_ms) {
            ares_cancel(ch); // completes every query in flight with ARES_ECANCELLED
            for (std::size_t i = b.next; i < queries.size(); ++i) {
                b.answers[i].status = AnswerStatus::error;
                b.answers[i].detail = "cancelled";
                ++b.done;
            }
            b.next = queries.size();
            break;
        }
    }
    for (auto& a : b.answers)
        if (a.status == AnswerStatus::error && a.detail.empty()) a.detail = "cancelled";
    return std::move(b.answers);
}

} // namespace ndr::agent::dnsbl
