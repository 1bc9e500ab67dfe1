// Session tickets with keys of our own that rotate (see ticket_keys.h).
#include "ticket_keys.h"
#include <openssl/rand.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <string.h>
typedef struct { unsigned char name[16]; unsigned char aes[32]; unsigned char hmac[32]; } paddock_ticket_key;
static paddock_ticket_key paddock_ticket_keys[2];
static int paddock_ticket_key_count = 0;
static pthread_mutex_t paddock_ticket_lock = PTHREAD_MUTEX_INITIALIZER;

/// Makes a new current key; the current one becomes the previous. 1 on success.
int paddock_ticket_rotate(void) {
    paddock_ticket_key fresh;
    if (RAND_bytes(fresh.name, 16) <= 0 || RAND_bytes(fresh.aes, 32) <= 0 || RAND_bytes(fresh.hmac, 32) <= 0) return 0;
    pthread_mutex_lock(&paddock_ticket_lock);
    paddock_ticket_keys[1] = paddock_ticket_keys[0];
    paddock_ticket_keys[0] = fresh;
    if (paddock_ticket_key_count < 2) paddock_ticket_key_count++;
    pthread_mutex_unlock(&paddock_ticket_lock);
    OPENSSL_cleanse(&fresh, sizeof fresh);
    return 1;
}

int paddock_ticket_key_count_now(void) {
    pthread_mutex_lock(&paddock_ticket_lock);
    int count = paddock_ticket_key_count;
    pthread_mutex_unlock(&paddock_ticket_lock);
    return count;
}

static int paddock_ticket_cb(SSL *ssl, unsigned char key_name[16], unsigned char *iv,
                                    EVP_CIPHER_CTX *cipher, EVP_MAC_CTX *mac, int enc) {
    (void)ssl;
    paddock_ticket_key key;
    int found = -1;
    pthread_mutex_lock(&paddock_ticket_lock);
    if (enc) {
        if (paddock_ticket_key_count > 0) found = 0;
    } else {
        for (int i = 0; i < paddock_ticket_key_count; i++) {
            if (memcmp(key_name, paddock_ticket_keys[i].name, 16) == 0) { found = i; break; }
        }
    }
    if (found >= 0) key = paddock_ticket_keys[found];
    pthread_mutex_unlock(&paddock_ticket_lock);
    if (found < 0) return 0;  /* encrypting: no ticket; decrypting: unknown key, a full handshake */
    int ok;
    if (enc) {
        memcpy(key_name, key.name, 16);
        ok = RAND_bytes(iv, 16) > 0 && EVP_EncryptInit_ex(cipher, EVP_aes_256_cbc(), NULL, key.aes, iv);
    } else {
        ok = EVP_DecryptInit_ex(cipher, EVP_aes_256_cbc(), NULL, key.aes, iv);
    }
    OSSL_PARAM params[3];
    params[0] = OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY, key.hmac, 32);
    params[1] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"sha256", 0);
    params[2] = OSSL_PARAM_construct_end();
    ok = ok && EVP_MAC_CTX_set_params(mac, params);
    OPENSSL_cleanse(&key, sizeof key);
    if (!ok) return -1;
    return (!enc && found > 0) ? 2 : 1;  /* 2: accepted with the previous key; issue a new ticket */
}

int paddock_ssl_ctx_use_ticket_keys(SSL_CTX *ctx) {
    return SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, paddock_ticket_cb);
}
