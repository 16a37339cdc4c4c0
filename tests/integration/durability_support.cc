#include "durability_support.h"

#include <utility>

namespace keel::integration {

ServerOptions OnDir(const TempDir& dir, std::vector<std::string> args,
                    std::vector<std::string> env) {
  return {.args = std::move(args), .env = std::move(env), .data_dir = dir.path()};
}

std::optional<std::set<std::string>> AllEmails(const Api& api) {
  auto admin = api.Admin();
  if (!admin) return std::nullopt;
  auto users = api.ListAll(admin->access_token);
  if (!users) return std::nullopt;
  std::set<std::string> emails;
  for (const JsonValue& u : *users) emails.insert(u.GetString("email").value_or(""));
  return emails;
}

SignUpLoad::SignUpLoad(const TestServer& server, int threads, std::string prefix) {
  for (int t = 0; t < threads; ++t) {
    threads_.emplace_back([this, &server, prefix, t] { Run(server, prefix + std::to_string(t)); });
  }
}

void SignUpLoad::Stop() {
  stop_.store(true);
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

void SignUpLoad::Run(const TestServer& server, const std::string& prefix) {
  std::vector<Ack> mine;
  int other = 0;
  Connection c = server.Connect(milliseconds(3000));
  for (int i = 0; c.ok() && !stop_.load(); ++i) {
    std::string email = prefix + "-" + std::to_string(i) + "@example.com";
    std::string body =
        Obj({Str("email", email), Str("name", "Load"), Str("password", "correct horse")});
    if (!c.SendAll(JsonRequest("POST", "/api/users", body))) break;
    auto r = c.ReadResponse();
    if (!r) break;
    if (r->status == 201) {
      mine.push_back({email, std::chrono::steady_clock::now()});
    } else {
      ++other;
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  acks_.insert(acks_.end(), mine.begin(), mine.end());
  other_statuses_ += other;
}

PatchLoad::PatchLoad(const TestServer& server, const std::vector<Account>& accounts,
                     std::string prefix)
    : attempts_(accounts.size()) {
  // attempts_ is sized before any thread starts, so no entry moves.
  for (size_t i = 0; i < accounts.size(); ++i) {
    attempts_[i].id = accounts[i].id;
    threads_.emplace_back([this, &server, account = accounts[i], prefix, i] {
      Run(server, account, prefix + "-" + std::to_string(i), &attempts_[i]);
    });
  }
}

void PatchLoad::Stop() {
  stop_.store(true);
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

void PatchLoad::Run(const TestServer& server, const Account& account, const std::string& prefix,
                    Attempts* out) {
  Connection c = server.Connect(milliseconds(3000));
  const std::string path = "/api/users/" + std::to_string(account.id);
  for (int i = 0; c.ok() && !stop_.load(); ++i) {
    std::string name = prefix + "-" + std::to_string(i);
    // Recorded before sending: a name the server may have written counts as
    // attempted even if the send fails halfway.
    out->sent.push_back(name);
    if (!c.SendAll(JsonRequest("PATCH", path, Obj({Str("name", name)}),
                               {Bearer(account.access_token)}, "application/merge-patch+json"))) {
      break;
    }
    auto r = c.ReadResponse();
    if (!r) break;
    if (r->status >= 200 && r->status < 300) {
      out->last_acked = static_cast<int>(out->sent.size()) - 1;
    } else {
      ++out->other_statuses;
    }
  }
}

}  // namespace keel::integration
