# certs.sh — throwaway X.509 material for the IMAP integration tests (sourced, not run).
#
# ndr_certs_generate DIR writes, with ECDSA P-256 keys (fast to generate):
#   ca.crt/ca.key           the test CA the agent is told to trust
#   server.crt/server.key   signed by ca, SAN IP:127.0.0.1 and DNS:localhost
#   other.crt/other.key     signed by ca, SAN DNS:other.test only (wrong host name for 127.0.0.1)
#   named.crt/named.key     signed by ca, SAN DNS:localhost only (valid for localhost, not for 127.0.0.1,
#                           whatever 127.0.0.1's reverse name is)
#   wrongca.crt/wrongca.key an unrelated CA (wrong trust anchor)
#   bundle.crt              wrongca.crt followed by ca.crt (a PEM bundle whose second cert matters)
# Keys are test-only and never leave DIR.

ndr_certs_generate() {
    local dir=$1
    mkdir -p "$dir"
    (
        cd "$dir"
        local ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
        openssl req -x509 "${ec[@]}" -keyout ca.key -out ca.crt -days 3650 -subj "/CN=ndr-triage Test CA" \
            -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
        openssl req -x509 "${ec[@]}" -keyout wrongca.key -out wrongca.crt -days 3650 -subj "/CN=Wrong CA" \
            -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
        local name san
        for name in server other named; do
            case $name in
            server) san="IP:127.0.0.1,DNS:localhost" ;;
            other) san="DNS:other.test" ;;
            named) san="DNS:localhost" ;;
            esac
            openssl req "${ec[@]}" -keyout "$name.key" -out "$name.csr" -subj "/CN=$name" 2>/dev/null
            printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' \
                "$san" > "$name.ext"
            openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -out "$name.crt" \
                -days 825 -extfile "$name.ext" 2>/dev/null
        done
        cat wrongca.crt ca.crt > bundle.crt
        chmod 644 ./*.crt && chmod 600 ./*.key
    )
}
