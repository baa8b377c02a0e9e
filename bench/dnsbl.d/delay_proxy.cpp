// delay_proxy.cpp — a tiny UDP DNS proxy for bench/dnsbl: forwards every query from LISTEN to UPSTREAM
// at once and holds every answer for DELAY_MS before passing it back, so each query costs one added
// round trip of DELAY_MS, however many are in flight. Loopback only; bench use, not shipped.
//
// Usage: delay_proxy LISTEN_IP LISTEN_PORT UPSTREAM_IP UPSTREAM_PORT DELAY_MS
// Query IDs are rewritten (16-bit counter) so different clients' IDs cannot collide; answers without a
// pending query are dropped. Bounded: at most 65536 pending queries.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct PendingQuery {
    bool used = false;
    sockaddr_in client{};
    std::uint16_t orig_id = 0;
};

struct Held {
    Clock::time_point due;
    sockaddr_in client{};
    std::vector<std::uint8_t> bytes;
};

sockaddr_in make_addr(const char* ip, const char* port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(std::atoi(port)));
    if (inet_pton(AF_INET, ip, &a.sin_addr) != 1) {
        std::fprintf(stderr, "delay_proxy: bad address %s\n", ip);
        std::exit(2);
    }
    return a;
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 6) {
        std::fprintf(stderr, "usage: delay_proxy LISTEN_IP LISTEN_PORT UPSTREAM_IP UPSTREAM_PORT DELAY_MS\n");
        return 2;
    }
    sockaddr_in listen_addr = make_addr(argv[1], argv[2]);
    sockaddr_in upstream = make_addr(argv[3], argv[4]);
    const auto delay = std::chrono::milliseconds(std::atoi(argv[5]));

    int front = socket(AF_INET, SOCK_DGRAM, 0);
    int back = socket(AF_INET, SOCK_DGRAM, 0);
    int big = 4 << 20;
    setsockopt(front, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
    setsockopt(back, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
    if (bind(front, reinterpret_cast<sockaddr*>(&listen_addr), sizeof listen_addr) != 0) {
        std::perror("delay_proxy: bind");
        return 1;
    }
    if (connect(back, reinterpret_cast<sockaddr*>(&upstream), sizeof upstream) != 0) {
        std::perror("delay_proxy: connect");
        return 1;
    }
    std::vector<PendingQuery> pending(65536);
    std::uint16_t next_id = 0;
    std::deque<Held> held; // constant delay: FIFO order is due order
    std::array<std::uint8_t, 65536> buf{};

    while (true) {
        int timeout = -1;
        if (!held.empty()) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(held.front().due - Clock::now()).count();
            timeout = left < 0 ? 0 : static_cast<int>(left) + 1;
        }
        pollfd fds[2] = {{front, POLLIN, 0}, {back, POLLIN, 0}};
        poll(fds, 2, timeout);
        if (fds[0].revents & POLLIN) {
            while (true) {
                sockaddr_in client{};
                socklen_t len = sizeof client;
                ssize_t n = recvfrom(front, buf.data(), buf.size(), MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&client), &len);
                if (n < 12) break;
                std::uint16_t id = next_id++;
                PendingQuery& p = pending[id];
                p.used = true;
                p.client = client;
                p.orig_id = static_cast<std::uint16_t>((buf[0] << 8) | buf[1]);
                buf[0] = static_cast<std::uint8_t>(id >> 8);
                buf[1] = static_cast<std::uint8_t>(id);
                send(back, buf.data(), static_cast<std::size_t>(n), 0);
            }
        }
        if (fds[1].revents & POLLIN) {
            while (true) {
                ssize_t n = recv(back, buf.data(), buf.size(), MSG_DONTWAIT);
                if (n < 12) break;
                std::uint16_t id = static_cast<std::uint16_t>((buf[0] << 8) | buf[1]);
                PendingQuery& p = pending[id];
                if (!p.used) continue;
                p.used = false;
                buf[0] = static_cast<std::uint8_t>(p.orig_id >> 8);
                buf[1] = static_cast<std::uint8_t>(p.orig_id);
                held.push_back(Held{Clock::now() + delay, p.client, std::vector<std::uint8_t>(buf.begin(), buf.begin() + n)});
            }
        }
        auto now = Clock::now();
        while (!held.empty() && held.front().due <= now) {
            Held& h = held.front();
            sendto(front, h.bytes.data(), h.bytes.size(), 0, reinterpret_cast<sockaddr*>(&h.client), sizeof h.client);
            held.pop_front();
        }
    }
}
