package sim

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	auth "github.com/abbot/go-http-auth"
)

// Realm is the Digest realm the simulator announces.
const Realm = "Itgrix"

// Config is what the simulator serves and to whom.
type Config struct {
	Username, Password string
	// Scenario answers /status; /<scenario>/status answers any scenario.
	Scenario string
	// StatusFile, when set, is served at /status instead of the scenario,
	// read again on every request so edits show at once.
	StatusFile string
	// Delay holds every answer back, to try timeouts.
	Delay time.Duration
	// Now is the simulator's clock.
	Now func() time.Time
}

// digestAuth accepts one login in Realm, MD5 as the Itgrix module asks.
func digestAuth(username, password string) *guardedAuth {
	ha1 := md5.Sum([]byte(username + ":" + Realm + ":" + password))
	secret := hex.EncodeToString(ha1[:])
	return &guardedAuth{a: auth.NewDigestAuthenticator(Realm, func(user, realm string) string {
		if user == username && realm == Realm {
			return secret
		}
		return ""
	})}
}

// guardedAuth is a Digest authenticator for concurrent requests:
// go-http-auth's RequireAuth writes its nonce map without the lock its
// CheckAuth takes, so two pollers logging in at once could crash the
// simulator with a concurrent map write.
type guardedAuth struct {
	mu sync.Mutex
	a  *auth.DigestAuth
}

// check answers r: true with the Authentication-Info header set, or false
// with the challenge written to w.
func (g *guardedAuth) check(w http.ResponseWriter, r *http.Request) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	user, info := g.a.CheckAuth(r)
	if user == "" {
		g.a.RequireAuth(w, r)
		return false
	}
	if info != nil {
		w.Header().Set("Authentication-Info", *info)
	}
	return true
}

// Handler serves the status endpoint behind Digest authentication (MD5,
// qop=auth), as the Itgrix module does.
func Handler(c Config) http.Handler {
	login := digestAuth(c.Username, c.Password)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !login.check(w, r) {
			return
		}
		if c.Delay > 0 {
			select {
			case <-time.After(c.Delay):
			case <-r.Context().Done():
				return
			}
		}
		body, status := c.answer(r)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write(body)
	})
}

func (c Config) answer(r *http.Request) ([]byte, int) {
	var doc []byte
	var err error
	switch p := strings.Trim(r.URL.Path, "/"); {
	case p == "status" && c.StatusFile != "":
		doc, err = os.ReadFile(c.StatusFile)
	case p == "status":
		doc, err = Document(c.Scenario, c.Now())
	case strings.HasSuffix(p, "/status"):
		doc, err = Document(strings.TrimSuffix(p, "/status"), c.Now())
		if err != nil {
			return errorBody(err.Error()), http.StatusNotFound
		}
	default:
		return errorBody("not found"), http.StatusNotFound
	}
	if err != nil {
		return errorBody(err.Error()), http.StatusInternalServerError
	}
	if path := r.URL.Query().Get("path"); path != "" {
		return element(doc, path)
	}
	return doc, http.StatusOK
}

// element answers the "path" parameter with the JSON of that element. The
// vendor does not document the reply's shape; the checks never use it.
func element(doc []byte, path string) ([]byte, int) {
	var cur any
	if err := json.Unmarshal(doc, &cur); err != nil {
		return errorBody("status document is not JSON"), http.StatusInternalServerError
	}
	for _, key := range strings.Split(path, ".") {
		obj, ok := cur.(map[string]any)
		if !ok {
			return errorBody("no element " + path), http.StatusBadRequest
		}
		if cur, ok = obj[key]; !ok {
			return errorBody("no element " + path), http.StatusBadRequest
		}
	}
	out, _ := json.Marshal(cur)
	return out, http.StatusOK
}

func errorBody(msg string) []byte {
	var b bytes.Buffer
	_ = json.NewEncoder(&b).Encode(map[string]string{"error": msg})
	return b.Bytes()
}
