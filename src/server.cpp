// The only translation unit that includes Beast (it costs ~12 s to compile). Connection
// code only: requests are answered by handle_request (src/handler.cpp), a function of the
// request and the current snapshot. Shaped after Beast's http_server_async example.
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "evfeed/handler.hpp"
#include "evfeed/live_site.hpp"
#include "evfeed/log.hpp"
#include "evfeed/metrics.hpp"
#include "evfeed/server.hpp"

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace evfeed {

namespace {

constexpr std::size_t header_limit = 8 * 1024;
constexpr auto idle_timeout = std::chrono::seconds(30);  // keep-alive idle and header read
constexpr auto write_timeout = std::chrono::seconds(60);
constexpr auto shutdown_grace = std::chrono::milliseconds(4500);  // exit well within 5 s
// Filtered outputs: rendered on a pool of their own (never on an I/O thread), at most this
// many waiting or running per render thread; beyond it, and beyond this many filtered body
// bytes being written to clients (slow readers hold theirs), 503 with Retry-After.
constexpr unsigned max_renders_per_thread = 4;
constexpr long long max_filter_bytes_in_flight = 64ll << 20;

class Session;

// Large bodies go out by sendfile(2) from a memfd holding a copy of their bytes, as nginx
// sends files: the kernel then never copies them from user memory again (for a 76 KB
// gzip calendar that copy was the server's largest cost, 14% of its CPU). The copy is made on
// first use and lives as long as the resource; the total is capped. Measured on loopback:
// +13% requests/s for a 76 KB body, but -40% for a 1.5 MB one (sendfile from a memfd then
// loses to one large copy), so bodies over 1 MiB keep the plain write.
class SendfileCache {
 public:
  static constexpr std::size_t min_size = 32 * 1024;
  static constexpr std::size_t max_size = 1024 * 1024;
  static constexpr std::size_t max_total = 512u << 20;
  static constexpr std::chrono::seconds retry_delay{10};

  struct File {
    int fd = -1;
    std::size_t size = 0;
    ~File() {
      if (fd >= 0) ::close(fd);
    }
  };

  // The memfd of `res`'s body or gzip, or null (too small, over the cap, no memfd).
  std::shared_ptr<const File> get(const std::shared_ptr<const Resource>& res, bool gzip) {
    std::string_view bytes = gzip ? std::string_view(res->gzip) : std::string_view(res->body);
    if (bytes.size() < min_size || bytes.size() > max_size) return nullptr;
    Key key{res.get(), gzip};
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = entries_.find(key);
      if (it != entries_.end()) {
        if (!it->second.owner.expired()) return it->second.file;
        total_ -= it->second.file->size;  // a new resource at a freed one's address
        entries_.erase(it);
      }
      sweep();
      if (std::chrono::steady_clock::now() < retry_at_ || total_ + bytes.size() > max_total) return nullptr;
    }
    auto file = std::make_shared<File>();
    file->fd = ::memfd_create("evfeed-response", MFD_CLOEXEC);
    if (file->fd < 0) {  // out of fds or memory for a moment: plain writes until then
      std::lock_guard<std::mutex> lock(mutex_);
      retry_at_ = std::chrono::steady_clock::now() + retry_delay;
      return nullptr;
    }
    for (std::size_t done = 0; done < bytes.size();) {
      ssize_t n = ::write(file->fd, bytes.data() + done, bytes.size() - done);
      if (n <= 0) return nullptr;
      done += static_cast<std::size_t>(n);
    }
    file->size = bytes.size();
    std::lock_guard<std::mutex> lock(mutex_);
    auto [it, inserted] = entries_.try_emplace(key, Entry{res, file});
    if (inserted) total_ += file->size;
    return it->second.file;
  }

  // Called every second: each reload leaves the memfds of outputs that changed, which no
  // request may touch again; they close once their last transfer ends.
  void release_unused() {
    std::lock_guard<std::mutex> lock(mutex_);
    sweep();
  }

 private:
  using Key = std::pair<const Resource*, bool>;
  struct Entry {
    std::weak_ptr<const Resource> owner;
    std::shared_ptr<const File> file;  // sessions sending from it hold it too
  };
  void sweep() {  // forget resources of snapshots that are gone (a few dozen entries)
    for (auto it = entries_.begin(); it != entries_.end();) {
      if (it->second.owner.expired()) {
        total_ -= it->second.file->size;
        it = entries_.erase(it);
      } else {
        ++it;
      }
    }
  }
  std::mutex mutex_;
  std::map<Key, Entry> entries_;
  std::size_t total_ = 0;
  std::chrono::steady_clock::time_point retry_at_{};
};

struct ServerState {
  ServerState(LiveSite& s, ServerMetrics& m, const ServeOptions& o) : site(s), metrics(m), opts(o) {}
  LiveSite& site;
  ServerMetrics& metrics;
  const ServeOptions& opts;
  std::atomic<bool> stopping{false};
  SendfileCache sendfile_cache;
  std::mutex sessions_mutex;
  std::map<Session*, std::weak_ptr<Session>> sessions;
  net::thread_pool* renders = nullptr;  // filtered outputs are rendered here
  unsigned max_pending_renders = 1;
  std::atomic<unsigned> pending_renders{0};
};

// The Date header, formatted once a second per thread.
std::string_view date_now() {
  thread_local std::time_t last = 0;
  thread_local std::string text;
  std::time_t now = std::time(nullptr);
  if (now != last) {
    last = now;
    text = http_date(SysSeconds{std::chrono::seconds{now}});
  }
  return text;
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, ServerState& st) : stream_(std::move(socket)), st_(st) {
    beast::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    remote_ = ec ? "-" : ep.address().to_string();
    ++st_.metrics.connections_open;
  }
  ~Session() {
    --st_.metrics.connections_open;
    std::lock_guard<std::mutex> lock(st_.sessions_mutex);
    st_.sessions.erase(this);
  }

  void run() {
    {
      std::lock_guard<std::mutex> lock(st_.sessions_mutex);
      st_.sessions[this] = weak_from_this();
    }
    net::dispatch(stream_.get_executor(), beast::bind_front_handler(&Session::do_read, shared_from_this()));
  }

  // Called on shutdown (on this session's strand): idle connections close now, busy ones
  // finish their response first.
  void close_if_idle() {
    if (idle_) close();
  }
  net::any_io_executor executor() { return stream_.get_executor(); }

 private:
  void do_read() {
    if (st_.stopping) return close();
    parser_.emplace();
    parser_->header_limit(header_limit);
    parser_->body_limit(0);  // request bodies are refused
    idle_ = true;
    stream_.expires_after(idle_timeout);
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&Session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    idle_ = false;
    started_ = std::chrono::steady_clock::now();
    if (ec == http::error::end_of_stream || ec == net::error::operation_aborted || ec == beast::error::timeout ||
        ec == net::error::connection_reset || ec == net::error::eof)
      return close();
    if (ec == http::error::header_limit) return send_error(431, "request header fields too large (limit 8 KiB)\n");
    if (ec == http::error::body_limit || ec == http::error::unexpected_body)
      return send_error(413, "request bodies are not accepted\n");
    if (ec) return send_error(400, "malformed request\n");

    const auto& req = parser_->get();
    if (req[http::field::content_length].size() && req[http::field::transfer_encoding].size())
      return send_error(400, "Content-Length together with Transfer-Encoding is refused\n");  // smuggling
    HttpRequest& hr = request_;
    hr = HttpRequest{};
    hr.received = SysSeconds{std::chrono::seconds{std::time(nullptr)}};
    hr.method = std::string(req.method_string());
    hr.target = std::string(req.target());
    hr.if_none_match = std::string(req[http::field::if_none_match]);
    hr.if_modified_since = std::string(req[http::field::if_modified_since]);
    hr.accept_encoding = std::string(req[http::field::accept_encoding]);
    keep_alive_ = req.keep_alive();
    version_ = req.version();
    snapshot_ = st_.site.current();  // the response keeps its snapshot alive
    response_ = handle_request(hr, *snapshot_, st_.metrics);
    method_ = hr.method;
    target_ = hr.target;
    if (response_.render) return render_then_respond();
    write_filtered_or_response();
  }

  // The filtered output is not cached: render it on the render pool, then answer from this
  // connection's thread. A full queue is a 503: the I/O threads never wait for a render.
  void render_then_respond() {
    if (st_.pending_renders.fetch_add(1) >= st_.max_pending_renders) {
      --st_.pending_renders;
      return send_busy("too many filtered calendars being rendered; retry in a few seconds\n");
    }
    net::post(*st_.renders, [self = shared_from_this(), query = *response_.render] {
      std::shared_ptr<const Resource> res;
      try {
        res = self->snapshot_->render_filter(query);
      } catch (const std::exception& e) {
        log_line("evfeed: rendering " + query.key() + " failed: " + e.what());
      }
      --self->st_.pending_renders;
      ++self->st_.metrics.filter_renders;
      net::post(self->stream_.get_executor(), [self, res = std::move(res)]() mutable {
        if (!res) return self->send_error(500, "the filtered output could not be rendered\n");
        std::string route = self->response_.route;
        self->response_ = respond_with_resource(self->request_, *self->snapshot_, std::move(res), std::move(route));
        self->response_.filtered = true;
        self->write_filtered_or_response();
      });
    });
  }

  // Filtered bodies are not in any snapshot: each one a slow reader holds is memory of its
  // own, so their total in flight is bounded.
  void write_filtered_or_response() {
    if (response_.filtered && response_.resource && !response_.head && response_.status == 200) {
      auto size = static_cast<long long>(response_.body().size());
      if (st_.metrics.filter_bytes_in_flight.fetch_add(size) + size > max_filter_bytes_in_flight) {
        st_.metrics.filter_bytes_in_flight -= size;
        return send_busy("too many filtered calendars being sent; retry in a few seconds\n");
      }
      in_flight_bytes_ = size;
    }
    write_response();
  }

  void send_busy(const std::string& text) {
    ++st_.metrics.filter_rejections;
    bool head = response_.head;
    std::string route = response_.route;
    response_ = HttpResponse{};
    response_.status = 503;
    response_.text = text;
    response_.head = head;
    response_.route = std::move(route);
    response_.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
    response_.headers.emplace_back("Cache-Control", "no-store");
    response_.headers.emplace_back("Retry-After", "5");
    write_response();
  }

  void send_error(int status, const std::string& text) {
    response_ = HttpResponse{};
    response_.status = status;
    response_.text = text;
    response_.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
    response_.route = "invalid";
    keep_alive_ = false;  // the stream may be out of sync: close after answering
    version_ = 11;
    method_ = "-";
    target_ = "-";
    write_response();
  }

  // Status line and headers are serialized by hand into a buffer the session reuses; the
  // body goes out from the snapshot's bytes (one gather write), or by sendfile when large.
  void write_response() {
    keep_ = keep_alive_ && !st_.stopping;
    head_.clear();
    if (!serialize_head(response_, response_.body().size(), version_, keep_, date_now(), head_)) {
      log_line("evfeed serve: a response header is not valid HTTP (CR/LF in a value?); answered 500");
      response_ = error_response(500, "internal error: invalid response header\n", response_.route, response_.head);
      serialize_head(response_, response_.body().size(), version_, keep_, date_now(), head_);
    }
    std::string_view body = response_.body();
    bool no_body = response_.status == 304 || response_.head;
    sent_bytes_ = no_body ? 0 : body.size();
    stream_.expires_after(write_timeout);
    if (!no_body && response_.resource && !response_.filtered) {  // filtered outputs come and go: no memfd
      if (auto file = st_.sendfile_cache.get(response_.resource, response_.gzip)) {
        file_ = std::move(file);
        file_offset_ = 0;
        // The headers go first with MSG_MORE, so that they leave in one segment with the
        // start of the body (a separate small write would wait for an ACK under Nagle).
        beast::error_code ec;
        make_non_blocking(ec);
        ssize_t n =
            ec ? -1 : ::send(stream_.socket().native_handle(), head_.data(), head_.size(), MSG_MORE | MSG_NOSIGNAL);
        if (n == static_cast<ssize_t>(head_.size())) return send_file_part();
        std::size_t sent = n > 0 ? static_cast<std::size_t>(n) : 0;
        net::async_write(stream_, net::buffer(head_.data() + sent, head_.size() - sent),
                         beast::bind_front_handler(&Session::on_head_written, shared_from_this()));
        return;
      }
    }
    std::array<net::const_buffer, 2> buffers{net::buffer(head_), net::buffer(no_body ? std::string_view() : body)};
    net::async_write(stream_, buffers, beast::bind_front_handler(&Session::on_write, shared_from_this()));
  }

  void on_head_written(beast::error_code ec, std::size_t) {
    if (ec) return on_write(ec, 0);
    make_non_blocking(ec);
    if (ec) return on_write(ec, 0);
    send_file_part();
  }

  // Our own send/sendfile calls need the descriptor non-blocking; asio's async operations
  // work either way. Once per connection: each call is an ioctl.
  void make_non_blocking(beast::error_code& ec) {
    if (non_blocking_) return;
    stream_.socket().native_non_blocking(true, ec);
    non_blocking_ = !ec;
  }

  // sendfile until the socket buffer is full, then wait until it can take more. The
  // write deadline of the stream does not cover the wait, so a timer of its own does.
  void send_file_part() {
    while (file_offset_ < file_->size) {
      off_t offset = static_cast<off_t>(file_offset_);
      ssize_t n = ::sendfile(stream_.socket().native_handle(), file_->fd, &offset, file_->size - file_offset_);
      if (n > 0) {
        file_offset_ = static_cast<std::size_t>(offset);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        if (!file_deadline_armed_) {
          file_deadline_armed_ = true;
          file_deadline_.expires_after(write_timeout);
          file_deadline_.async_wait([self = shared_from_this()](beast::error_code wait_ec) {
            if (!wait_ec) self->close();  // the client stopped reading
          });
        }
        stream_.socket().async_wait(tcp::socket::wait_write, [self = shared_from_this()](beast::error_code wait_ec) {
          if (wait_ec) return self->finish_file(wait_ec);
          self->send_file_part();
        });
        return;
      }
      return finish_file(beast::error_code(n < 0 ? errno : EPIPE, beast::system_category()));
    }
    finish_file({});
  }

  void finish_file(beast::error_code ec) {
    if (file_deadline_armed_) {
      file_deadline_.cancel();
      file_deadline_armed_ = false;
    }
    file_.reset();
    on_write(ec, 0);
  }

  void on_write(beast::error_code ec, std::size_t) {
    auto took = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started_);
    st_.metrics.count(response_.route, response_.status);
    st_.metrics.bytes_sent += sent_bytes_;
    if (st_.opts.access_log) log_access({remote_, method_, target_, response_.status, sent_bytes_, took});
    st_.metrics.filter_bytes_in_flight -= in_flight_bytes_;
    in_flight_bytes_ = 0;
    bool again = keep_;
    response_ = HttpResponse{};
    snapshot_.reset();
    if (ec) return close();
    if (!again) return close();
    do_read();
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_{header_limit};
  ServerState& st_;
  std::optional<http::request_parser<http::empty_body>> parser_;
  std::string head_;                                 // status line and headers of the response being written
  std::shared_ptr<const SendfileCache::File> file_;  // body source while sendfile runs
  std::size_t file_offset_ = 0;
  net::steady_timer file_deadline_{stream_.get_executor()};
  bool file_deadline_armed_ = false;
  bool keep_ = false;
  std::shared_ptr<const SiteSnapshot> snapshot_;
  HttpRequest request_;
  HttpResponse response_;
  long long in_flight_bytes_ = 0;  // counted in metrics.filter_bytes_in_flight until written
  std::string remote_, method_, target_;
  unsigned version_ = 11;
  bool keep_alive_ = false;
  bool non_blocking_ = false;
  bool idle_ = true;
  std::size_t sent_bytes_ = 0;
  std::chrono::steady_clock::time_point started_;
};

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(net::io_context& ioc, tcp::endpoint endpoint, ServerState& st, beast::error_code& ec)
      : ioc_(ioc), acceptor_(ioc), st_(st) {
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    // One listening socket per I/O thread on the same port: the kernel spreads the
    // connections, and each connection lives on one thread (no strands, no handoffs).
    if (!ec) acceptor_.set_option(net::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
  }
  void run() { do_accept(); }
  void stop() {
    net::post(acceptor_.get_executor(), [self = shared_from_this()] {
      beast::error_code ec;
      self->acceptor_.close(ec);
      self->backoff_.cancel();
    });
  }

 private:
  void do_accept() {
    acceptor_.async_accept(ioc_, beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
  }
  void on_accept(beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
    if (!ec) {
      if (st_.metrics.connections_open.load() >= static_cast<long long>(st_.opts.max_connections)) {
        beast::error_code ignored;
        socket.close(ignored);  // over the connection limit: refuse early and cheaply
      } else {
        std::make_shared<Session>(std::move(socket), st_)->run();
      }
    } else if (ec == net::error::no_descriptors || ec == net::error::no_buffer_space || ec == net::error::no_memory ||
               ec.value() == ENFILE) {
      // Out of file descriptors: the pending connection stays in the backlog and accept
      // would fail again at once (a busy loop at 100% CPU). Retry when some may be free.
      backoff_.expires_after(std::chrono::milliseconds(100));
      backoff_.async_wait([self = shared_from_this()](beast::error_code wait_ec) {
        if (!wait_ec) self->do_accept();
      });
      return;
    }
    do_accept();
  }

  net::io_context& ioc_;
  tcp::acceptor acceptor_;
  net::steady_timer backoff_{ioc_};
  ServerState& st_;
};

bool parse_listen(const std::string& listen, tcp::endpoint& ep) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return false;
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "0.0.0.0";
  beast::error_code ec;
  auto addr = net::ip::make_address(host, ec);
  if (ec) return false;
  try {
    int port = std::stoi(listen.substr(colon + 1));
    if (port < 0 || port > 65535) return false;
    ep = tcp::endpoint(addr, static_cast<unsigned short>(port));
  } catch (const std::exception&) {
    return false;
  }
  return true;
}

// Memfd copies of outputs no snapshot holds any more are closed within a second.
void sweep_sendfile_every_second(net::steady_timer& timer, ServerState& st) {
  st.sendfile_cache.release_unused();
  timer.expires_after(std::chrono::seconds(1));
  timer.async_wait([&timer, &st](beast::error_code ec) {
    if (!ec && !st.stopping) sweep_sendfile_every_second(timer, st);
  });
}

// Shutdown: idle connections close now, busy ones after their response.
void close_idle_sessions(ServerState& st) {
  // Take the sessions out under the lock, post outside it: a session whose last other
  // owner let go meanwhile is destroyed with our reference, and its destructor takes
  // that lock to unregister itself.
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard<std::mutex> lock(st.sessions_mutex);
    for (auto& [ptr, weak] : st.sessions)
      if (auto s = weak.lock()) live.push_back(std::move(s));
  }
  for (auto& s : live) net::post(s->executor(), [s] { s->close_if_idle(); });
}

}  // namespace

int run_server(const ServeOptions& opts) {
  tcp::endpoint endpoint;
  if (!parse_listen(opts.listen, endpoint)) {
    log_line("evfeed serve: --listen must look like 127.0.0.1:8080, not '" + opts.listen + "'");
    return 2;
  }
  // sendfile(2) has no MSG_NOSIGNAL: a client that resets mid-response must not kill us.
  std::signal(SIGPIPE, SIG_IGN);
  ServerMetrics metrics;
  LiveSite site(opts, [&metrics](const ReloadOutcome& o) { metrics.record_reload(o.initial, o.ok); });
  site.rebuild(true);

  unsigned threads = opts.threads ? opts.threads : std::max(1u, std::thread::hardware_concurrency());
  // Declared before the io_contexts, so it outlives them: destroying an io_context destroys
  // the handlers still pending in it, and with them sessions that unregister from `st`.
  ServerState st(site, metrics, opts);
  // One io_context per thread, as nginx runs one event loop per worker.
  std::vector<std::unique_ptr<net::io_context>> iocs;
  for (unsigned i = 0; i < threads; ++i) iocs.push_back(std::make_unique<net::io_context>(1));
  // Declared after the io_contexts: destroyed (joined) first, so a render finishing late
  // still posts to a live io_context.
  unsigned render_threads = std::max(1u, threads / 2);
  net::thread_pool renders(render_threads);
  st.renders = &renders;
  st.max_pending_renders = render_threads * max_renders_per_thread;
  std::vector<std::shared_ptr<Listener>> listeners;
  for (auto& ioc : iocs) {
    beast::error_code ec;
    listeners.push_back(std::make_shared<Listener>(*ioc, endpoint, st, ec));
    if (ec) {
      log_line("evfeed serve: cannot listen on " + opts.listen + ": " + ec.message());
      return 2;
    }
  }
  for (auto& l : listeners) l->run();
  log_line("evfeed: serving on http://" + opts.listen + "/ with " + std::to_string(threads) + " threads");

  std::atomic<bool> stop_watch{false};
  std::thread watcher([&] { site.watch(stop_watch); });
  net::steady_timer sweep_timer(*iocs[0]);
  sweep_sendfile_every_second(sweep_timer, st);

  // Graceful shutdown: stop accepting, close idle connections, let busy ones finish,
  // exit when none is left or after the grace period.
  net::io_context& main_ioc = *iocs[0];
  net::signal_set signals(main_ioc, SIGINT, SIGTERM);
  net::steady_timer drain(main_ioc);
  auto deadline = std::chrono::steady_clock::now();
  std::function<void()> check_drained = [&] {
    if (metrics.connections_open.load() == 0 || std::chrono::steady_clock::now() >= deadline) {
      for (auto& ioc : iocs) ioc->stop();
      return;
    }
    drain.expires_after(std::chrono::milliseconds(20));
    drain.async_wait([&](beast::error_code) { check_drained(); });
  };
  signals.async_wait([&](beast::error_code, int sig) {
    log_line("evfeed: signal " + std::to_string(sig) + ", shutting down");
    st.stopping = true;
    for (auto& l : listeners) l->stop();
    close_idle_sessions(st);
    deadline = std::chrono::steady_clock::now() + shutdown_grace;
    check_drained();
  });

  std::vector<std::thread> pool;
  for (unsigned i = 1; i < threads; ++i) pool.emplace_back([&, i] { iocs[i]->run(); });
  main_ioc.run();
  for (auto& t : pool) t.join();
  renders.stop();  // renders not started yet are dropped with their sessions
  renders.join();
  stop_watch = true;
  watcher.join();
  flush_access_log();
  log_line("evfeed: stopped");
  return 0;
}

}  // namespace evfeed
