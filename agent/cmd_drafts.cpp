// cmd_drafts.cpp — `ndr-triage drafts list|show ID|edit ID|approve ID|reject ID|export DIR|send ID`:
// the review of drafted delisting requests and notes. Nothing is ever sent without `approve` first
// and an explicit `send`; `send` goes over SMTP with verified TLS (agent/smtp) and moves the incident
// to `requested`. `edit` opens $EDITOR (else vi) on To/Subject/body; the IMAP Drafts copy is replaced.
//
// Exit codes: 0 done; 1 usage error, no such draft or a draft in the wrong state; 2 no state database,
// or the SMTP server / IMAP Drafts folder failed; 3 configuration or state database error.
#include "agent/commands.hpp"
#include "agent/drafts/plan.hpp"
#include "agent/incidents/workflow.hpp"
#include "agent/review_state.hpp"
#include "agent/scan.hpp"
#include "classifiers/text.hpp"

#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent/smtp/send.hpp"

namespace ndr::agent {

namespace {

struct DraftArgs {
    std::string state;
    bool json = false;
    bool all = false;
    std::int64_t id = 0;
    std::string dir;
};

std::string s(std::string_view t) {
    return classifiers::sanitise(t, 1024);
}
std::int64_t now() {
    return static_cast<std::int64_t>(std::time(nullptr));
}

std::optional<store::Draft> find(ReviewState& st, std::int64_t id) {
    auto d = st.db->draft(id);
    if (!d) std::cerr << "ndr-triage drafts: no draft " << id << "\n";
    return d;
}

int list(ReviewState& st, const DraftArgs& a) {
    const auto all = st.db->drafts(a.all);
    if (a.json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& d : all)
            out.push_back(
                {{"id", d.id},
                 {"incident", d.incident_id},
                 {"kind", d.kind},
                 {"status", d.status},
                 {"to", s(d.recipient)},
                 {"subject", s(d.subject)},
                 {"url", s(d.url)},
                 {"revision", d.revision},
                 {"edited", d.edited},
                 {"message_id", d.message_id},
                 {"in_imap_drafts", !d.imap_message_id.empty() && d.imap_message_id == d.message_id}});
        std::cout << out.dump(2) << "\n";
        return 0;
    }
    if (all.empty()) std::cout << "No drafts waiting for review.\n";
    for (const auto& d : all)
        std::cout << d.id << "  " << d.status << "  incident " << d.incident_id << "  " << d.kind << "  "
                  << (d.recipient.empty() ? (d.url.empty() ? "-" : s(d.url)) : s(d.recipient)) << "  "
                  << s(d.subject) << "\n";
    return 0;
}

int show(ReviewState& st, const DraftArgs& a) {
    const auto d = find(st, a.id);
    if (!d) return 1;
    if (a.json) {
        std::cout << nlohmann::json{{"id", d->id},
                                    {"incident", d->incident_id},
                                    {"kind", d->kind},
                                    {"status", d->status},
                                    {"to", d->recipient},
                                    {"subject", d->subject},
                                    {"url", d->url},
                                    {"body", d->body},
                                    {"message_id", d->message_id},
                                    {"revision", d->revision}}
                         .dump(2)
                  << "\n";
        return 0;
    }
    std::cout << drafts::compose_message(*d, st.config.identity, d->updated_at);
    return 0;
}

// The editable form: "To: ...", "Subject: ...", an empty line, the body.
std::string editable(const store::Draft& d) {
    return "To: " + d.recipient + "\nSubject: " + d.subject + "\n\n" + d.body;
}

store::DraftText parse_editable(const std::string& text, const store::Draft& d) {
    store::DraftText out{d.kind, d.recipient, d.subject, "", d.url};
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) break;
        if (classifiers::istarts_with(line, "to:"))
            out.recipient = drafts::safe_address(line.substr(3));
        else if (classifiers::istarts_with(line, "subject:"))
            out.subject = drafts::header_value(line.substr(8));
    }
    std::string body;
    while (std::getline(in, line))
        body += line + "\n";
    out.body = body;
    return out;
}

int sync_imap(ReviewState& st) {
    int rc = 0;
    for (const auto& e : incidents::sync_drafts_to_imap(*st.db, st.config, now())) {
        std::cerr << "ndr-triage drafts: " << s(e) << "\n";
        rc = 2;
    }
    return rc;
}

int edit(ReviewState& st, const DraftArgs& a) {
    const auto d = find(st, a.id);
    if (!d) return 1;
    if (d->status == "sent") {
        std::cerr << "ndr-triage drafts: draft " << a.id << " was sent; it cannot be edited\n";
        return 1;
    }
    char path[] = "/tmp/ndr-triage-draft-XXXXXX";
    const int fd = ::mkstemp(path);
    if (fd < 0) {
        std::cerr << "ndr-triage drafts: cannot create a temporary file\n";
        return 3;
    }
    ::close(fd);
    {
        std::ofstream out(path);
        out << editable(*d);
    }
    const char* editor = std::getenv("VISUAL");
    if (editor == nullptr || *editor == '\0') editor = std::getenv("EDITOR");
    if (editor == nullptr || *editor == '\0') editor = "vi";
    // $EDITOR may carry arguments ("code -w"): run it through the shell with the path as $1.
    const std::string cmd = std::string(editor) + " \"$1\"";
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::execl("/bin/sh", "sh", "-c", cmd.c_str(), "sh", path, static_cast<char*>(nullptr));
        ::_exit(127);
    }
    int status = 0;
    if (pid < 0 || ::waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        ::unlink(path);
        std::cerr << "ndr-triage drafts: the editor failed; draft " << a.id << " unchanged\n";
        return 1;
    }
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    ::unlink(path);
    if (text.str() == editable(*d)) {
        std::cout << "draft " << a.id << " unchanged\n";
        return 0;
    }
    st.db->edit_draft(a.id, parse_editable(text.str(), *d), drafts::message_id_domain(st.config.identity),
                      now());
    std::cout << "draft " << a.id << " edited (back to status draft: approve it again)\n";
    return sync_imap(st);
}

int set_status(ReviewState& st, std::int64_t id, std::string_view status) {
    const auto d = find(st, id);
    if (!d) return 1;
    if (d->status == "sent") {
        std::cerr << "ndr-triage drafts: draft " << id << " was already sent\n";
        return 1;
    }
    st.db->set_draft_status(id, status, now());
    std::cout << "draft " << id << " " << status << "\n";
    return 0;
}

int approve(ReviewState& st, const DraftArgs& a) {
    return set_status(st, a.id, "approved");
}
int reject(ReviewState& st, const DraftArgs& a) {
    if (const int rc = set_status(st, a.id, "rejected"); rc != 0) return rc;
    return sync_imap(st);
}

int export_dir(ReviewState& st, const DraftArgs& a) {
    struct stat sb {};
    if (::stat(a.dir.c_str(), &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        std::cerr << "ndr-triage drafts export: not a directory: " << a.dir << "\n";
        return 1;
    }
    std::size_t n = 0;
    for (const auto& d : st.db->drafts()) {
        const std::string file = a.dir + "/draft-" + std::to_string(d.id) + ".eml";
        std::ofstream out(file, std::ios::binary | std::ios::trunc);
        out << drafts::compose_message(d, st.config.identity, d.updated_at);
        if (!out) {
            std::cerr << "ndr-triage drafts export: cannot write " << file << "\n";
            return 3;
        }
        ++n;
    }
    std::cout << n << " drafts written to " << a.dir << "\n";
    return 0;
}

int send(ReviewState& st, const DraftArgs& a) {
    const auto d = find(st, a.id);
    if (!d) return 1;
    if (d->status != "approved") {
        std::cerr << "ndr-triage drafts send: draft " << a.id << " is " << d->status
                  << ", not approved (`drafts approve " << a.id << "` first)\n";
        return 1;
    }
    const auto to = drafts::safe_address(d->recipient);
    if (to.empty()) {
        std::cerr << "ndr-triage drafts send: draft " << a.id << " has no recipient"
                  << (d->url.empty() ? "" : ": it is the text for the form at " + s(d->url)) << "\n";
        return 1;
    }
    const auto from = drafts::safe_address(st.config.identity.admin_email);
    if (from.empty()) {
        std::cerr << "ndr-triage drafts send: set [identity] admin_email (the sender)\n";
        return 3;
    }
    if (st.config.smtp.host.empty()) {
        std::cerr << "ndr-triage drafts send: no [smtp] host configured\n";
        return 3;
    }
    const auto sent = smtp::send_message(st.config.smtp, from, {to},
                                         drafts::compose_message(*d, st.config.identity, now()));
    if (!sent) {
        std::cerr << "ndr-triage drafts send: " << s(sent.error()) << "\n";
        return 2;
    }
    st.db->set_draft_status(a.id, "sent", now());
    if (d->incident_id != 0)
        st.db->set_incident_status(d->incident_id, "requested",
                                   "draft " + std::to_string(a.id) + " sent to " + to, now());
    std::cout << "draft " << a.id << " sent to " << to << "\n";
    sync_imap(st); // its Drafts copy goes; a failure is reported and retried, the mail is sent
    return 0;
}

} // namespace

void add_drafts_command(CLI::App& app, CommandContext& ctx) {
    auto args = std::make_shared<DraftArgs>();
    auto* sub = app.add_subcommand(
        "drafts", "Review drafted requests: list, show, edit, approve, reject, export, send");
    sub->require_subcommand(1);
    sub->footer(
        "Exit: 0 done, 1 usage, no such draft or wrong state, 2 no state database or SMTP/IMAP failure, 3 "
        "configuration or state error.");
    sub->add_option("--state", args->state, "State database (default as for scan)")->type_name("FILE");
    const auto with = [&ctx, args](int (*fn)(ReviewState&, const DraftArgs&)) {
        return review_callback(ctx, args, "drafts", fn);
    };
    auto* l = sub->add_subcommand("list", "Drafts waiting for review (--all: also rejected and sent)");
    l->add_flag("--json", args->json, "Print as JSON");
    l->add_flag("--all", args->all, "Include rejected and sent drafts");
    l->callback(with(list));
    auto* sh = sub->add_subcommand("show", "The draft as the message it would be");
    sh->add_option("ID", args->id, "Draft id")->required();
    sh->add_flag("--json", args->json, "Print as JSON");
    sh->callback(with(show));
    const auto one = [&](const char* name, const char* what, int (*fn)(ReviewState&, const DraftArgs&)) {
        auto* c = sub->add_subcommand(name, what);
        c->add_option("ID", args->id, "Draft id")->required();
        c->callback(with(fn));
    };
    one("edit", "Edit To, Subject and body in $EDITOR (the IMAP Drafts copy is replaced)", edit);
    one("approve", "Mark ready to send", approve);
    one("reject", "Drop it (a later scan does not bring it back)", reject);
    one("send",
        "Send an approved draft over SMTP ([smtp] in the configuration); the incident becomes requested",
        send);
    auto* e = sub->add_subcommand("export", "Write every waiting draft as DIR/draft-ID.eml");
    e->add_option("DIR", args->dir, "Directory")->required();
    e->callback(with(export_dir));
}

} // namespace ndr::agent
