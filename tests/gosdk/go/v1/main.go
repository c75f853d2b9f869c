// Loads credentials the way an agent built on aws-sdk-go v1 does (session.NewSessionWithOptions, then
// Credentials.Get) and prints {"source": Value.ProviderName, "error": ...} as JSON. STS goes to -sts when given.
package main

import (
	"encoding/json"
	"flag"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/endpoints"
	"github.com/aws/aws-sdk-go/aws/session"
)

func main() {
	shared := flag.String("shared", "env", "env (AWS_SDK_LOAD_CONFIG decides) | enable | disable")
	profile := flag.String("profile", "", "session.Options.Profile")
	sts := flag.String("sts", "", "STS endpoint URL")
	flag.Parse()

	out := map[string]interface{}{"source": nil, "error": nil}
	defer func() { _ = json.NewEncoder(os.Stdout).Encode(out) }()

	def := endpoints.DefaultResolver()
	cfg := aws.Config{
		Region:     aws.String("us-east-1"),
		MaxRetries: aws.Int(0),
		HTTPClient: &http.Client{Timeout: 3 * time.Second},
		EndpointResolver: endpoints.ResolverFunc(func(svc, region string, opts ...func(*endpoints.Options)) (endpoints.ResolvedEndpoint, error) {
			if svc == "sts" && *sts != "" {
				return endpoints.ResolvedEndpoint{URL: *sts, SigningRegion: region}, nil
			}
			return def.EndpointFor(svc, region, opts...)
		}),
	}
	opts := session.Options{Config: cfg, Profile: *profile}
	switch *shared {
	case "enable":
		opts.SharedConfigState = session.SharedConfigEnable
	case "disable":
		opts.SharedConfigState = session.SharedConfigDisable
	}
	sess, err := session.NewSessionWithOptions(opts)
	if err != nil {
		out["error"] = err.Error()
		return
	}
	v, err := sess.Config.Credentials.Get()
	if err != nil {
		out["error"] = err.Error()
		return
	}
	out["source"] = v.ProviderName
}
