// Loads credentials the way an agent built on aws-sdk-go-v2 does (config.LoadDefaultConfig, then
// Credentials.Retrieve) and prints {"source": Credentials.Source, "error": ...} as JSON. STS goes to -sts when given.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
)

func main() {
	profile := flag.String("profile", "", "config.WithSharedConfigProfile")
	sts := flag.String("sts", "", "STS endpoint URL")
	flag.Parse()

	out := map[string]interface{}{"source": nil, "error": nil}
	defer func() { _ = json.NewEncoder(os.Stdout).Encode(out) }()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	opts := []func(*config.LoadOptions) error{
		config.WithRegion("us-east-1"),
		config.WithRetryMaxAttempts(1),
		config.WithHTTPClient(&http.Client{Timeout: 3 * time.Second}),
		config.WithEndpointResolverWithOptions(aws.EndpointResolverWithOptionsFunc(
			func(service, region string, options ...interface{}) (aws.Endpoint, error) {
				if service == "STS" && *sts != "" {
					return aws.Endpoint{URL: *sts, SigningRegion: region}, nil
				}
				return aws.Endpoint{}, &aws.EndpointNotFoundError{}
			})),
	}
	if *profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(*profile))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		out["error"] = err.Error()
		return
	}
	c, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		out["error"] = err.Error()
		return
	}
	out["source"] = c.Source
}
