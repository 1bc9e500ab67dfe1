#ifndef PADDOCK_TICKET_KEYS_H
#define PADDOCK_TICKET_KEYS_H
#include <openssl/ssl.h>

// Session tickets with keys of our own that rotate (OpenSSL's own are made once per context and
// never change). Two keys: tickets are made with the newest, and the one before is still accepted
// (and such a ticket renewed), so a rotation costs no client its resumption. One process-wide ring
// behind a mutex, so loops on several threads may share it.

/// Makes a new current key; the current one becomes the previous. 1 on success.
int paddock_ticket_rotate(void);
/// How many keys the ring holds (0 before the first rotation).
int paddock_ticket_key_count_now(void);
/// Installs the ring's ticket callback on a context.
int paddock_ssl_ctx_use_ticket_keys(SSL_CTX *ctx);
#endif
