#include "registry/registry_fixture.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

namespace bulwark::testing {

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    port = ntohs(a.sin_port);
  ::close(fd);
  return port;
}

namespace {
bool port_open(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}
}  // namespace

bool ChildProcess::start(const std::vector<std::string>& argv, const std::string& log_path,
                         int port) {
  pid_t pid = ::fork();
  if (pid < 0) return false;
  if (pid == 0) {
    int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, 0);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  pid_ = pid;
  for (int i = 0; i < 200; ++i) {
    if (port_open(port)) return true;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  stop();
  return false;
}

void ChildProcess::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  for (int i = 0; i < 100; ++i) {
    if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

bool TestRegistry::start(const std::string& dir, const RegistryConfig& c) {
  port_ = free_port();
  log_ = dir + "/registry.log";
  std::string cfg = "version: 0.1\nlog:\n  level: info\n  accesslog:\n    disabled: false\n";
  cfg += "storage:\n  filesystem:\n    rootdirectory: " + dir +
         "/data\n  delete:\n    enabled: true\n";
  cfg += "http:\n  addr: 127.0.0.1:" + std::to_string(port_) + "\n";
  if (!c.tls_cert.empty())
    cfg += "  tls:\n    certificate: " + c.tls_cert + "\n    key: " + c.tls_key + "\n";
  if (!c.htpasswd.empty())
    cfg += "auth:\n  htpasswd:\n    realm: bulwark-test\n    path: " + c.htpasswd + "\n";
  if (!c.token_realm.empty()) {
    cfg += "auth:\n  token:\n    realm: " + c.token_realm + "\n    service: " + c.token_service +
           "\n    issuer: " + c.token_issuer + "\n    rootcertbundle: " + c.token_rootcert + "\n";
  }
  if (!c.redirect_baseurl.empty()) {
    cfg += "middleware:\n  storage:\n    - name: redirect\n      options:\n        baseurl: " +
           c.redirect_baseurl + "\n";
  }
  write_file(dir + "/config.yml", cfg);
  return proc_.start({"docker-registry", "serve", dir + "/config.yml"}, log_, port_);
}

int TestRegistry::blob_gets(const std::string& repo) const {
  std::ifstream f(log_);
  std::string line;
  int n = 0;
  std::string needle = "\"GET /v2/" + repo + "/blobs/sha256:";
  while (std::getline(f, line)) {
    if (line.find(needle) != std::string::npos) ++n;
  }
  return n;
}

bool make_test_pki(const std::string& dir, const std::string& san) {
  std::string cmd =
      "cd '" + dir +
      "' && openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 "
      "-subj '/CN=bulwark test CA' -addext basicConstraints=critical,CA:TRUE "
      "-addext keyUsage=critical,keyCertSign,cRLSign,digitalSignature 2>/dev/null && "
      "openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr "
      "-subj '/CN=bulwark test server' 2>/dev/null && "
      "printf 'subjectAltName=" +
      san +
      "\\nextendedKeyUsage=serverAuth\\nbasicConstraints=CA:FALSE\\n' > ext.cnf && "
      "openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt "
      "-days 2 -extfile ext.cnf 2>/dev/null";
  return run_command(cmd) == 0;
}

bool skopeo_copy(const std::string& src, const std::string& dest, const std::string& creds,
                 bool all) {
  std::string cmd = "skopeo copy --quiet --dest-tls-verify=false ";
  if (all) cmd += "--all ";
  if (!creds.empty()) cmd += "--dest-creds '" + creds + "' ";
  cmd += "'" + src + "' 'docker://" + dest + "' >/dev/null";
  return run_command(cmd) == 0;
}

}  // namespace bulwark::testing
