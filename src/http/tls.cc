#include "src/http/tls.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <pistache/endpoint.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>

namespace portico::http {
namespace {

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};

// Declines every passphrase prompt: an encrypted key fails to load instead
// of OpenSSL asking on the terminal.
int NoPassphrase(char*, int, int, void*) { return 0; }

StatusOr<File> Open(const std::string& path, std::string_view what) {
  File file(std::fopen(path.c_str(), "re"));
  if (!file) {
    return InvalidArgument("cannot read the " + std::string(what) + " file " + path + ": " +
                           std::strerror(errno));
  }
  return file;
}

// Pistache 0.0.5 builds its SSL_CTX inside useSSL and keeps it in private
// members (Endpoint::listener, Listener::ssl_ctx_) with no accessor, and it
// sets no minimum protocol version. An explicit template instantiation may
// name private members ([temp.spec.general]/6); this reads the two pointers-
// to-member once, checked by the compiler against the installed headers, so
// a Pistache that renames them fails to build rather than misbehaving.
template <typename Tag, typename Tag::type kMember>
struct MemberAccess {
  friend typename Tag::type Get(Tag) { return kMember; }
};
struct EndpointListener {
  using type = Pistache::Tcp::Listener Pistache::Http::Endpoint::*;
  friend type Get(EndpointListener);
};
struct ListenerSslContext {
  using type = Pistache::ssl::SSLCtxPtr Pistache::Tcp::Listener::*;
  friend type Get(ListenerSslContext);
};
template struct MemberAccess<EndpointListener, &Pistache::Http::Endpoint::listener>;
template struct MemberAccess<ListenerSslContext, &Pistache::Tcp::Listener::ssl_ctx_>;

SSL_CTX* SslContextOf(Pistache::Http::Endpoint& endpoint) {
  Pistache::Tcp::Listener& listener = endpoint.*Get(EndpointListener{});
  return static_cast<SSL_CTX*>((listener.*Get(ListenerSslContext{})).get());
}

}  // namespace

Status CheckTlsKeyPair(const std::string& cert_path, const std::string& key_path) {
  PORTICO_ASSIGN_OR_RETURN(File cert_file, Open(cert_path, "certificate"));
  std::unique_ptr<X509, X509Free> cert(
      PEM_read_X509(cert_file.get(), nullptr, NoPassphrase, nullptr));
  ERR_clear_error();
  if (!cert) return InvalidArgument(cert_path + " holds no PEM certificate");

  StatusOr<File> key_file = Open(key_path, "key");
  if (!key_file.ok()) return key_file.status().WithTag(kTlsKeyProblem);
  std::unique_ptr<EVP_PKEY, PkeyFree> key(
      PEM_read_PrivateKey(key_file->get(), nullptr, NoPassphrase, nullptr));
  ERR_clear_error();
  if (!key) {
    return InvalidArgument(key_path + " holds no unencrypted PEM private key")
        .WithTag(kTlsKeyProblem);
  }
  const bool matches = X509_check_private_key(cert.get(), key.get()) == 1;
  ERR_clear_error();
  if (!matches) {
    return InvalidArgument(key_path + " does not match the certificate in " + cert_path)
        .WithTag(kTlsKeyProblem);
  }
  return Status::Ok();
}

Status EnableTls(Pistache::Http::Endpoint& endpoint, const std::string& cert_path,
                 const std::string& key_path) {
  try {
    endpoint.useSSL(cert_path, key_path);
  } catch (const std::exception& e) {
    return Unavailable(std::string("cannot load the TLS certificate and key: ") + e.what());
  }
  SSL_CTX* context = SslContextOf(endpoint);
  if (context == nullptr) return Unavailable("TLS was not set up");
  // Raise, never lower: a system policy that already demands TLS 1.3 stays.
  // (0 means no minimum.)
  if (SSL_CTX_get_min_proto_version(context) < TLS1_2_VERSION) {
    if (SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION) != 1) {
      return Unavailable("cannot set the minimum TLS version");
    }
  }
  return Status::Ok();
}

}  // namespace portico::http
