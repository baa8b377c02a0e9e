// scan.cpp — the scan loop over a MailSource, stop requests and mail date parsing.
#include "agent/scan.hpp"

#include "agent/store/store.hpp"
#include "classifiers/limits.hpp"
#include "classifiers/text.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstring>
#include <ctime>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace ndr::agent {

namespace {

std::atomic<bool> g_stop{false};
static_assert(std::atomic<bool>::is_always_lock_free);

extern "C" void on_stop_signal(int sig) {
    if (sig == SIGINT && g_stop.load()) {
        std::signal(SIGINT, SIG_DFL);
        std::raise(SIGINT);
        return;
    }
    g_stop.store(true);
}

// A batch of recorded messages is committed after this many messages or this long, whichever is first:
// the transaction (and SQLite's write lock) is never held long, and a killed scan redoes at most this.
// Each commit writes every page its batch touched to the WAL (the fingerprint index's pages again and
// again): at 256 a first scan of 10,000 messages wrote 80 MB for a 10.7 MB state file.
constexpr std::size_t k_batch_messages = 1024;
constexpr auto k_batch_time = std::chrono::milliseconds(250);
// ... or once its messages (whose reports are kept until the commit, to redo the batch) reach this many
// bytes.
constexpr std::size_t k_batch_bytes = 8u * 1024 * 1024;

// Committed marks wait for the fetch thread to let go of the source; past this many, the commit waits.
constexpr std::size_t k_max_unmarked = 4 * k_batch_messages;
// Each queue between the fetch thread, the analysis thread and the recording thread holds at most this
// many messages and bytes of raw message (always at least one message): memory stays bounded.
constexpr std::size_t k_queue_messages = 512;
constexpr std::size_t k_queue_bytes = 8u * 1024 * 1024;
// A thread waiting on one of these queues is woken when this many messages are waiting for it (or
// have left it, for room), not for each, or when fewer have waited k_queue_linger. On two cores shared
// with the IMAP server, every hand-over is a wake-up of a thread on another core; at 16 the two
// cores sat idle for a quarter of a first scan.
constexpr std::size_t k_queue_wake = 128;
constexpr auto k_queue_linger = std::chrono::milliseconds(50);

struct Mark {
    std::uint32_t uid;
    bool ndr;
};

// A FIFO between two threads, bounded in items and bytes. close(): the producer is done (pop drains,
// then returns nullopt); cancel(): the consumer gave up (push and pop return at once).
//
// Wake-ups come in batches: a consumer waiting on an empty queue is woken once `wake` items are in
// it (or the producer is done or blocked on a full queue), and a producer blocked on a full queue
// once `wake` items have left it. Waking the other thread for every item cost a futex call and a
// context switch per message and queue, about a sixth of a first scan's CPU time.
template <typename T> class BoundedQueue {
  public:
    BoundedQueue(std::size_t max_items, std::size_t max_bytes, std::size_t wake = 1)
        : m_max_items(max_items), m_max_bytes(max_bytes),
          m_wake(std::max<std::size_t>(1, std::min(wake, max_items))) {}

    // Blocks while full. False when cancelled (the item is dropped).
    bool push(T item, std::size_t bytes) {
        std::unique_lock lock(m_mutex);
        const auto room = [&] {
            return m_cancelled || m_items.empty() ||
                   (m_items.size() < m_max_items && m_bytes + bytes <= m_max_bytes);
        };
        if (!room()) {
            m_producer_blocked = true;
            if (m_consumer_waiting) m_not_empty.notify_one(); // whatever is in the queue is all it gets now
            m_not_full.wait(lock, room);
            m_producer_blocked = false;
        }
        if (m_cancelled) return false;
        m_bytes += bytes;
        m_items.emplace_back(std::move(item), bytes);
        if (m_consumer_waiting && m_items.size() >= m_wake) m_not_empty.notify_one();
        return true;
    }
    // Blocks while empty and open. nullopt: closed and drained, or cancelled.
    std::optional<T> pop() {
        std::unique_lock lock(m_mutex);
        if (m_items.empty() && !m_cancelled && !m_closed) {
            m_consumer_waiting = true;
            const auto ready = [&] {
                return m_cancelled || m_closed || m_items.size() >= m_wake ||
                       (m_producer_blocked && !m_items.empty());
            };
            // A partial batch waits at most k_queue_linger (a producer slowed by the network).
            while (!m_not_empty.wait_for(lock, k_queue_linger, ready) && m_items.empty()) {
            }
            m_consumer_waiting = false;
        }
        if (m_cancelled || m_items.empty()) return std::nullopt;
        std::optional<T> item(std::move(m_items.front().first));
        m_bytes -= m_items.front().second;
        m_items.pop_front();
        if (m_producer_blocked && (m_items.size() + m_wake <= m_max_items || m_items.size() < m_wake))
            m_not_full.notify_one();
        return item;
    }
    void close() {
        std::lock_guard lock(m_mutex);
        m_closed = true;
        m_not_empty.notify_all();
    }
    void cancel() {
        std::lock_guard lock(m_mutex);
        m_cancelled = true;
        m_not_empty.notify_all();
        m_not_full.notify_all();
    }
    bool cancelled() const {
        std::lock_guard lock(m_mutex);
        return m_cancelled;
    }

  private:
    const std::size_t m_max_items;
    const std::size_t m_max_bytes;
    const std::size_t m_wake;
    mutable std::mutex m_mutex;
    std::condition_variable m_not_full;
    std::condition_variable m_not_empty;
    std::deque<std::pair<T, std::size_t>> m_items;
    std::size_t m_bytes = 0;
    bool m_closed = false;
    bool m_cancelled = false;
    bool m_producer_blocked = false; // push() waits for room
    bool m_consumer_waiting = false; // pop() waits for items
};

// One listed UID on its way to the recording thread.
struct Item {
    std::uint32_t uid = 0;
    bool fetch_failed = false;
    std::string error; // the fetch's error (fetch_failed), or the analyser's (message, !parsed)
    std::optional<SourceMessage> message; // nullopt (and not failed): vanished
    std::optional<std::int64_t> internal_date;
    bool skipped_since = false; // INTERNALDATE before --since: neither fingerprinted nor analysed
    std::string fingerprint;
    bool parsed = false;
    classifiers::DeliveryReport report;
    std::exception_ptr failure; // anything else (SHA-256 failed, out of memory): rethrown in UID order
    std::size_t raw_size = 0;   // of the message as fetched (message->raw may hold it with LF line ends)
    std::size_t bytes() const { return message ? raw_size : 0; }
};

// One step of the open batch, kept until the batch commits. A batch records without a savepoint per
// message (store::Store::begin_batch(false)); when a step fails, the batch is rolled back and redone
// from these steps with a savepoint per message, so that a failing message rolls back alone, as it
// always did, and never takes the batch's other messages with it.
struct BatchStep {
    std::uint32_t uid = 0;
    bool vanished = false;     // only the checkpoint advance past a vanished UID
    bool advance = false;      // the checkpoint advances (not frozen)
    std::int64_t now = 0;      // vanished: the time of the advance
    store::MessageInput input; // a message; input.report is set when it is applied
    bool parsed = false;
    classifiers::DeliveryReport report;
    std::size_t bytes = 0; // raw bytes of the message (the batch's memory bound)
};

// The fetch thread (source.fetch() under the source mutex, UID after UID, stopping at a stop request
// after the message in hand or after max_consecutive_fetch_errors; then INTERNALDATE, --since and the
// fingerprint, outside the mutex) and the analysis thread (analyse). The destructor cancels both queues and
// joins.
class Prefetch {
  public:
    // Items travel by pointer: an Item (a report and a message, some thirty strings) is moved
    // through two queues into the batch, a pointer costs nothing to move.
    BoundedQueue<std::unique_ptr<Item>> fetched{k_queue_messages, k_queue_bytes, k_queue_wake};
    BoundedQueue<std::unique_ptr<Item>> analysed{k_queue_messages, k_queue_bytes, k_queue_wake};

    Prefetch(MailSource& source, std::mutex& source_mutex, const AnalyseFn& analyse,
             const ScanOptions& options, const std::vector<std::uint32_t>& uids) {
        m_fetcher = std::thread([this, &source, &source_mutex, &options, &uids] {
            fetch_all(source, source_mutex, options, uids);
        });
        try {
            m_analyser = std::thread([this, &analyse, &options] { analyse_all(analyse, options); });
        } catch (...) {
            fetched.cancel();
            m_fetcher.join();
            throw;
        }
    }
    ~Prefetch() {
        fetched.cancel();
        analysed.cancel();
        m_fetcher.join();
        m_analyser.join();
    }
    Prefetch(const Prefetch&) = delete;
    Prefetch& operator=(const Prefetch&) = delete;

  private:
    void fetch_all(MailSource& source, std::mutex& source_mutex, const ScanOptions& options,
                   const std::vector<std::uint32_t>& uids) {
        std::size_t consecutive_errors = 0;
        for (const auto uid : uids) {
            if (stop_requested()) break;
            auto owned = std::make_unique<Item>();
            Item& item = *owned;
            item.uid = uid;
            try {
                std::lock_guard lock(source_mutex);
                item.message = source.fetch(uid);
                consecutive_errors = 0;
            } catch (const std::exception& e) {
                item.fetch_failed = true;
                item.error = e.what();
                ++consecutive_errors;
            } catch (...) {
                item.failure = std::current_exception();
            }
            if (item.message && !item.failure) date_and_fingerprint(item, options);
            const bool last = item.failure || consecutive_errors >= options.max_consecutive_fetch_errors;
            const auto bytes = item.bytes();
            if (!fetched.push(std::move(owned), bytes) || last) break;
        }
        fetched.close();
    }

    // INTERNALDATE, --since and the fingerprint, on the fetch thread (the lightest of the three):
    // the analysis thread is left with the analysis. So are CR line ends (every IMAP message's):
    // after the fingerprint they are turned to LF here, as parse_message() does first (not in a
    // message holding a NUL, which it reports, or longer than its cap, which it cuts first).
    static void date_and_fingerprint(Item& item, const ScanOptions& options) {
        try {
            std::string& raw = item.message->raw;
            item.raw_size = raw.size();
            item.internal_date = parse_mail_date(item.message->internal_date);
            if (options.since && item.internal_date && *item.internal_date < *options.since) {
                item.skipped_since = true;
                return;
            }
            item.fingerprint = store::sha256_hex(raw);
            if (raw.size() <= classifiers::k_max_message_bytes && std::memchr(raw.data(), '\r', raw.size()) &&
                !std::memchr(raw.data(), '\0', raw.size()))
                raw = classifiers::normalise_newlines(raw);
        } catch (...) {
            item.failure = std::current_exception();
        }
    }

    void analyse_all(const AnalyseFn& analyse, const ScanOptions& options) {
        bool prepared = !options.before_analysis;
        while (auto popped = fetched.pop()) {
            Item* item = popped->get();
            if (item->message && !item->failure) {
                try {
                    const std::string_view raw = item->message->raw;
                    if (!item->skipped_since) {
                        if (!prepared) {
                            prepared = true;
                            options.before_analysis();
                        }
                        try {
                            item->report = analyse(raw);
                            item->parsed = true;
                        } catch (const std::exception& e) {
                            item->error = e.what();
                        } catch (...) {
                            item->error = "analyser failed";
                        }
                    }
                } catch (...) {
                    item->failure = std::current_exception();
                }
            }
            const auto bytes = item->bytes();
            if (!analysed.push(std::move(*popped), bytes)) break;
        }
        analysed.close();
    }

    std::thread m_fetcher;
    std::thread m_analyser;
};

std::int64_t now_seconds() {
    return static_cast<std::int64_t>(std::time(nullptr));
}

std::optional<std::int64_t> first_date(std::initializer_list<std::string_view> texts) {
    for (auto t : texts)
        if (auto d = parse_mail_date(t)) return d;
    return std::nullopt;
}

} // namespace

bool is_ndr(classifiers::Kind kind) {
    return kind == classifiers::Kind::failed || kind == classifiers::Kind::delayed;
}

void install_stop_handlers() {
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGINT, &sa, nullptr);
}

bool stop_requested() {
    return g_stop.load();
}
void request_stop() {
    g_stop.store(true);
}
void clear_stop_request() {
    g_stop.store(false);
}

ScanResult scan_source(MailSource& source, store::Store& db, const AnalyseFn& analyse,
                       const ScanOptions& options) {
    ScanResult result;
    result.started_at = now_seconds();
    FolderState state;
    try {
        state = source.open();
    } catch (const std::exception& e) {
        result.source_error = true;
        result.error = classifiers::sanitise(e.what());
        result.finished_at = now_seconds();
        return result;
    }
    result.source = state.source;
    result.folder = state.folder;
    if (options.record_run)
        result.run_id = db.begin_run(options.run_command, state.source, state.folder, result.started_at);

    const auto finish = [&](std::string_view status) {
        result.finished_at = now_seconds();
        if (result.run_id != 0)
            db.finish_run(result.run_id, status, static_cast<std::int64_t>(result.messages),
                          static_cast<std::int64_t>(result.new_messages), result.error, result.finished_at);
    };

    // The source is called from the fetch thread (fetch) and from this one (mark_processed): one at a
    // time, under this mutex.
    std::mutex source_mutex;

    // Messages are recorded in batches (one SQLite transaction for up to k_batch_messages
    // messages or k_batch_time, each message's rows with its checkpoint advance as before) and
    // marked processed only once their batch is committed.
    std::vector<Mark> marks;   // in the open batch
    std::vector<Mark> to_mark; // committed, not marked yet (the fetch thread held the source)
    auto batch_started = std::chrono::steady_clock::now();
    // Marks what is committed; without `wait`, only when the fetch thread is not using the source
    // (the marks then go out with a later commit, still after their messages are recorded).
    const auto send_marks = [&](bool wait) {
        if (to_mark.empty()) return;
        std::unique_lock lock(source_mutex, std::try_to_lock);
        if (!lock.owns_lock()) {
            if (!wait && to_mark.size() < k_max_unmarked) return;
            lock.lock();
        }
        for (const auto& m : to_mark) {
            try {
                source.mark_processed(m.uid, m.ndr);
            } catch (const std::exception&) {
                // Best effort by contract: the message is recorded; marking it again later is harmless.
            }
        }
        to_mark.clear();
    };
    // The open batch's steps, and the counts as they were before it (restored to redo it).
    std::vector<BatchStep> batch;
    batch.reserve(k_batch_messages); // a step moved on the vector's growth is some fifty strings moved
    std::size_t batch_bytes = 0;
    struct Counts {
        std::size_t new_messages, duplicates, ndrs, records, unparsed, partial, backscatter, new_ids;
    };
    const auto counts_now = [&] {
        return Counts{
            result.new_messages, result.duplicates, result.ndrs,        result.records,
            result.unparsed,     result.partial,    result.backscatter, result.new_message_ids.size()};
    };
    Counts before_batch = counts_now();
    bool savepoints = false; // the open batch is being redone, a savepoint per message
    // `last`: the pass's last commit, whose WAL checkpoint goes on beside the caller's next steps.
    const auto commit = [&](bool wait_for_source, bool last = false) {
        try {
            if (last)
                db.commit_batch_checkpoint_behind();
            else
                db.commit_batch();
        } catch (...) {
            marks.clear(); // nothing of the batch was recorded: nothing of it is marked
            batch.clear();
            throw;
        }
        batch.clear();
        batch_bytes = 0;
        to_mark.insert(to_mark.end(), marks.begin(), marks.end());
        marks.clear();
        send_marks(wait_for_source);
    };
    const auto open_batch = [&] {
        const bool was_open = db.in_batch();
        db.begin_batch(false); // throws when SQLite dropped the open batch (disk full, I/O error)
        if (!was_open) {
            batch_started = std::chrono::steady_clock::now();
            batch.clear();
            batch_bytes = 0;
            before_batch = counts_now();
            savepoints = false;
        }
    };
    const auto batch_full = [&] {
        return marks.size() >= k_batch_messages || batch_bytes >= k_batch_bytes ||
               std::chrono::steady_clock::now() - batch_started >= k_batch_time;
    };
    // Records one step in the open batch and counts it.
    const auto apply = [&](BatchStep& step) {
        store::Location where{state.source, state.folder, state.uid_validity, step.uid, {}};
        if (step.vanished) {
            db.advance_checkpoint(where, step.now);
            return;
        }
        step.input.report = step.parsed ? &step.report : nullptr;
        const auto outcome = db.record_message(step.input, step.advance);
        bool ndr = false;
        if (outcome.is_new) {
            ++result.new_messages;
            result.new_message_ids.push_back(outcome.message_id);
            if (!step.parsed) {
                ++result.unparsed;
            } else {
                ndr = is_ndr(step.report.kind);
                if (ndr) ++result.ndrs;
                if (ndr && step.input.provenance == "backscatter") ++result.backscatter;
                if (step.input.status == store::ParseStatus::partial) ++result.partial;
                result.records += step.report.recipients.size();
            }
        } else {
            ++result.duplicates;
            ndr = db.message_is_ndr(outcome.message_id);
        }
        marks.push_back({step.uid, ndr});
    };
    // Adds a step to the open batch (opening one if needed). When it fails, the batch is rolled back
    // and redone with a savepoint per message: then a failure propagates as it always did, with the
    // batch's earlier messages recorded (the caller commits them).
    const auto record = [&](BatchStep&& step) {
        open_batch();
        batch_bytes += step.bytes;
        batch.push_back(std::move(step));
        try {
            apply(batch.back());
        } catch (...) {
            if (savepoints) throw; // the failed message rolled back alone
            db.rollback_batch();
            marks.clear();
            const Counts& c = before_batch;
            result.new_messages = c.new_messages;
            result.duplicates = c.duplicates;
            result.ndrs = c.ndrs;
            result.records = c.records;
            result.unparsed = c.unparsed;
            result.partial = c.partial;
            result.backscatter = c.backscatter;
            result.new_message_ids.resize(c.new_ids);
            db.begin_batch(true);
            savepoints = true;
            for (auto& redo : batch)
                apply(redo);
        }
    };

    std::optional<Prefetch> prefetch; // joined before anything below returns or throws
    try {
        std::uint32_t after = 0;
        if (auto cp = db.checkpoint(state.source, state.folder)) {
            if (cp->uid_validity != state.uid_validity) {
                result.uidvalidity_changed = true;
                db.reset_checkpoint(state.source, state.folder, state.uid_validity, now_seconds());
            } else {
                after = cp->last_uid;
            }
        }

        std::vector<std::uint32_t> uids;
        try {
            uids = source.list_after(after);
        } catch (const std::exception& e) {
            result.source_error = true;
            result.error = classifiers::sanitise(e.what());
            finish("error");
            return result;
        }

        // A scan killed after committing a batch and before marking it left recorded messages below
        // the checkpoint without the keyword (or, for NDRs, not moved): they are marked now. Only
        // messages this state recorded at this UIDVALIDITY; best effort, like the marking itself.
        if (after > 0) {
            try {
                for (const auto uid : source.unmarked_up_to(after)) {
                    const auto id = db.message_at({state.source, state.folder, state.uid_validity, uid, {}});
                    if (!id) continue;
                    source.mark_processed(uid, db.message_is_ndr(*id));
                    ++result.remarked;
                }
            } catch (const std::exception&) {
            }
        }

        // Fetching, analysing and recording overlap: a fetch thread and an analysis thread run ahead
        // of this one through bounded queues; this thread records in UID order, as before.
        prefetch.emplace(source, source_mutex, analyse, options, uids);

        // Once a message is left behind (fetch failed, or skipped by --since), the checkpoint stays
        // where it is for the rest of the pass so that the next pass sees that message again.
        bool frozen = false;
        std::size_t consecutive_errors = 0;
        ScanProgress progress{0, uids.size()};
        while (true) {
            if (db.in_batch() && batch_full()) commit(false);
            if (progress.done < uids.size() && options.on_progress) options.on_progress(progress);
            auto popped = prefetch->analysed.pop();
            if (!popped) break;
            auto item = std::move(*popped);
            ++progress.done;
            if (item->failure) std::rethrow_exception(item->failure);
            const auto uid = item->uid;

            if (item->fetch_failed) {
                commit(false); // what is recorded so far does not wait for the source to recover
                ++result.fetch_errors;
                frozen = true;
                if (++consecutive_errors >= options.max_consecutive_fetch_errors) {
                    result.source_error = true;
                    result.error = classifiers::sanitise(item->error);
                    break;
                }
                continue;
            }
            consecutive_errors = 0;
            store::Location where{state.source, state.folder, state.uid_validity, uid, {}};
            if (!item->message) {
                ++result.vanished;
                if (!frozen) {
                    BatchStep step;
                    step.uid = uid;
                    step.vanished = true;
                    step.now = now_seconds();
                    record(std::move(step));
                }
                continue;
            }
            SourceMessage& message = *item->message;
            ++result.messages;
            where.location = message.location;
            const auto internal_date = item->internal_date;
            if (item->skipped_since) {
                ++result.skipped_since;
                frozen = true;
                continue;
            }

            BatchStep step;
            step.uid = uid;
            step.advance = !frozen;
            step.bytes = item->raw_size;
            store::MessageInput& input = step.input;
            input.fingerprint = std::move(item->fingerprint);
            input.where = std::move(where);
            input.internal_date = std::move(message.internal_date);
            input.size = item->raw_size;
            input.seen_at = now_seconds();

            // Whether the fingerprint is recorded already is asked first only when it matters before
            // recording (--since, and the provenance check, which may ask DNS); otherwise
            // record_message() finds out (a duplicate only gains its location).
            std::optional<std::int64_t> known;
            if (options.since || options.provenance) {
                open_batch();
                known = db.find_message(input.fingerprint);
            }
            if (known) {
                input.event_at = internal_date.value_or(input.seen_at);
            } else {
                classifiers::DeliveryReport& report = item->report;
                const bool parsed = item->parsed;
                if (!parsed) input.error = std::move(item->error);
                const auto event_at =
                    parsed ? first_date({report.date, report.arrival_date}) : std::optional<std::int64_t>{};
                input.event_at = event_at ? *event_at : internal_date.value_or(input.seen_at);
                if (options.since && !internal_date && event_at && *event_at < *options.since) {
                    ++result.skipped_since;
                    frozen = true;
                    continue;
                }
                if (parsed) {
                    if (options.provenance && is_ndr(report.kind)) {
                        try {
                            auto p = options.provenance(report);
                            input.provenance = std::move(p.verdict);
                            input.provenance_detail = std::move(p.detail);
                            input.sending_ip = std::move(p.sending_ip);
                            input.sending_rdns = std::move(p.sending_rdns);
                            input.sending_helo = std::move(p.sending_helo);
                        } catch (const std::exception& e) {
                            input.provenance_detail = std::string("provenance check failed: ") + e.what();
                        }
                    }
                    input.status =
                        report.anomalies.empty() ? store::ParseStatus::parsed : store::ParseStatus::partial;
                    step.parsed = true;
                    step.report = std::move(report);
                } else {
                    input.status = store::ParseStatus::unparsed;
                }
            }
            item.reset(); // the raw message is not needed any more
            record(std::move(step));
        }
        // The fetch thread stops at a stop request after the message in hand; what it had fetched
        // is recorded above.
        if (!result.source_error && progress.done < uids.size() && stop_requested())
            result.interrupted = true;
        prefetch.reset(); // joins: the source is ours alone again
        commit(true, true);
        if (options.on_progress) options.on_progress(progress);
        finish(result.source_error ? "error" : result.interrupted ? "interrupted" : "ok");
    } catch (const std::exception& e) {
        prefetch.reset();
        result.error = classifiers::sanitise(e.what());
        // The message that failed has been rolled back (its savepoint); the batch's earlier messages
        // are complete and are committed, as they would have been one by one.
        try {
            commit(true);
        } catch (const std::exception&) {
            db.rollback_batch();
        }
        try {
            finish("error");
        } catch (const std::exception&) {
        }
        throw;
    }
    return result;
}

// ---- dates ----------------------------------------------------------------------------------------

namespace {

int month_index(std::string_view m) {
    static constexpr const char* k_months[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                               "jul", "aug", "sep", "oct", "nov", "dec"};
    if (m.size() < 3) return -1;
    for (int i = 0; i < 12; ++i)
        if (classifiers::iequals(m.substr(0, 3), k_months[i])) return i;
    return -1;
}

bool read_int(std::string_view s, std::size_t& pos, std::size_t min_digits, std::size_t max_digits,
              int& out) {
    std::size_t n = 0;
    long v = 0;
    while (pos + n < s.size() && n < max_digits && s[pos + n] >= '0' && s[pos + n] <= '9') {
        v = v * 10 + (s[pos + n] - '0');
        ++n;
    }
    if (n < min_digits) return false;
    pos += n;
    out = static_cast<int>(v);
    return true;
}

void skip_spaces(std::string_view s, std::size_t& pos) {
    while (pos < s.size() && (s[pos] == ' ' || s[pos] == '\t'))
        ++pos;
}

std::optional<std::int64_t> make_time(int year, int month0, int day, int h, int m, int sec,
                                      int offset_minutes) {
    if (year < 1970 || year > 9999 || month0 < 0 || month0 > 11 || day < 1 || day > 31 || h > 23 || m > 59 ||
        sec > 60)
        return std::nullopt;
    std::tm tm{};
    tm.tm_year = year - 1900;
    tm.tm_mon = month0;
    tm.tm_mday = day;
    tm.tm_hour = h;
    tm.tm_min = m;
    tm.tm_sec = sec == 60 ? 59 : sec;
    const std::time_t t = timegm(&tm);
    if (t == static_cast<std::time_t>(-1)) return std::nullopt;
    return static_cast<std::int64_t>(t) - static_cast<std::int64_t>(offset_minutes) * 60;
}

// "+0100", "-0530", or an obsolete zone name; false when not understood (the caller assumes UTC).
bool read_zone(std::string_view s, std::size_t pos, int& offset_minutes) {
    skip_spaces(s, pos);
    if (pos >= s.size()) return false;
    if (s[pos] == '+' || s[pos] == '-') {
        const int sign = s[pos] == '-' ? -1 : 1;
        ++pos;
        int hhmm = 0;
        std::size_t start = pos;
        if (!read_int(s, pos, 4, 4, hhmm) || pos - start != 4) return false;
        offset_minutes = sign * ((hhmm / 100) * 60 + hhmm % 100);
        return true;
    }
    static constexpr struct {
        const char* name;
        int offset;
    } k_zones[] = {{"UT", 0},     {"UTC", 0},    {"GMT", 0},    {"Z", 0},      {"EST", -300}, {"EDT", -240},
                   {"CST", -360}, {"CDT", -300}, {"MST", -420}, {"MDT", -360}, {"PST", -480}, {"PDT", -420}};
    std::size_t end = pos;
    while (end < s.size() && ((s[end] >= 'A' && s[end] <= 'Z') || (s[end] >= 'a' && s[end] <= 'z')))
        ++end;
    const auto name = s.substr(pos, end - pos);
    for (const auto& z : k_zones)
        if (classifiers::iequals(name, z.name)) {
            offset_minutes = z.offset;
            return true;
        }
    return false;
}

std::optional<std::int64_t> parse_iso(std::string_view s) {
    std::size_t pos = 0;
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
    if (!read_int(s, pos, 4, 4, y) || pos >= s.size() || s[pos++] != '-') return std::nullopt;
    if (!read_int(s, pos, 2, 2, mo) || pos >= s.size() || s[pos++] != '-') return std::nullopt;
    if (!read_int(s, pos, 2, 2, d)) return std::nullopt;
    if (pos == s.size()) return make_time(y, mo - 1, d, 0, 0, 0, 0);
    if (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ') return std::nullopt;
    ++pos;
    if (!read_int(s, pos, 2, 2, h) || pos >= s.size() || s[pos++] != ':') return std::nullopt;
    if (!read_int(s, pos, 2, 2, mi)) return std::nullopt;
    if (pos < s.size() && s[pos] == ':') {
        ++pos;
        if (!read_int(s, pos, 2, 2, sec)) return std::nullopt;
        if (pos < s.size() && s[pos] == '.') {
            ++pos;
            int frac = 0;
            if (!read_int(s, pos, 1, 9, frac)) return std::nullopt;
        }
    }
    int offset = 0;
    if (pos < s.size()) {
        if (s[pos] == 'Z' || s[pos] == 'z') {
            ++pos;
        } else if (s[pos] == '+' || s[pos] == '-') {
            const int sign = s[pos] == '-' ? -1 : 1;
            ++pos;
            int oh = 0, om = 0;
            if (!read_int(s, pos, 2, 2, oh)) return std::nullopt;
            if (pos < s.size() && s[pos] == ':') ++pos;
            if (!read_int(s, pos, 2, 2, om)) return std::nullopt;
            offset = sign * (oh * 60 + om);
        } else {
            return std::nullopt;
        }
    }
    if (pos != s.size()) return std::nullopt;
    return make_time(y, mo - 1, d, h, mi, sec, offset);
}

bool read_time_of_day(std::string_view s, std::size_t& pos, int& h, int& mi, int& sec) {
    if (!read_int(s, pos, 1, 2, h) || pos >= s.size() || s[pos++] != ':') return false;
    if (!read_int(s, pos, 2, 2, mi)) return false;
    sec = 0;
    if (pos < s.size() && s[pos] == ':') {
        ++pos;
        if (!read_int(s, pos, 2, 2, sec)) return false;
    }
    return true;
}

// RFC 5322 date-time: [day-name ","] day month year hour ":" minute [":" second] zone
std::optional<std::int64_t> parse_rfc5322(std::string_view s) {
    std::size_t pos = 0;
    skip_spaces(s, pos);
    if (const auto comma = s.find(','); comma != std::string_view::npos && comma < 12) pos = comma + 1;
    skip_spaces(s, pos);
    int d = 0, y = 0, h = 0, mi = 0, sec = 0;
    if (!read_int(s, pos, 1, 2, d)) return std::nullopt;
    skip_spaces(s, pos);
    const int mo = month_index(s.substr(pos));
    if (mo < 0) return std::nullopt;
    while (pos < s.size() && s[pos] != ' ' && s[pos] != '\t')
        ++pos;
    skip_spaces(s, pos);
    const std::size_t year_start = pos;
    if (!read_int(s, pos, 2, 4, y)) return std::nullopt;
    if (pos - year_start == 2)
        y += y < 50 ? 2000 : 1900;
    else if (pos - year_start == 3)
        y += 1900;
    skip_spaces(s, pos);
    if (!read_time_of_day(s, pos, h, mi, sec)) return std::nullopt;
    int offset = 0;
    read_zone(s, pos, offset);
    return make_time(y, mo, d, h, mi, sec, offset);
}

// asctime as in an mbox From_ line: "Mon Nov 23 18:25:49 2026"
std::optional<std::int64_t> parse_asctime(std::string_view s) {
    std::size_t pos = 0;
    skip_spaces(s, pos);
    while (pos < s.size() && s[pos] != ' ')
        ++pos; // day name
    skip_spaces(s, pos);
    const int mo = month_index(s.substr(pos));
    if (mo < 0) return std::nullopt;
    while (pos < s.size() && s[pos] != ' ')
        ++pos;
    skip_spaces(s, pos);
    int d = 0, h = 0, mi = 0, sec = 0, y = 0;
    if (!read_int(s, pos, 1, 2, d)) return std::nullopt;
    skip_spaces(s, pos);
    if (!read_time_of_day(s, pos, h, mi, sec)) return std::nullopt;
    skip_spaces(s, pos);
    if (!read_int(s, pos, 4, 4, y)) return std::nullopt;
    return make_time(y, mo, d, h, mi, sec, 0);
}

} // namespace

std::optional<std::int64_t> parse_mail_date(std::string_view text) {
    const auto s = classifiers::trim(text.substr(0, std::min<std::size_t>(text.size(), 256)));
    if (s.empty()) return std::nullopt;
    if (s.size() >= 10 && s[4] == '-' && s[0] >= '0' && s[0] <= '9') return parse_iso(s);
    if (auto t = parse_rfc5322(s)) return t;
    return parse_asctime(s);
}

std::string format_utc(std::int64_t unix_seconds) {
    const std::time_t t = static_cast<std::time_t>(unix_seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

} // namespace ndr::agent
