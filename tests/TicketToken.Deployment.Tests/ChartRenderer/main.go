// Command chart-renderer renders a Helm chart's templates the way `helm template` does, closely enough to test the
// chart on machines without helm: Go's text/template with the sprig functions (Debian's packages) plus the few helm
// adds that our templates use (include, required, toYaml, fromYaml, tpl, .Files.Get/.Files.Glob). It is an
// approximation of helm: no subcharts, hooks, schema validation, lookup or capabilities.
//
// Usage: chart-renderer <chart-dir> <release> <namespace> [values-file...]
package main

import (
	"bytes"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig" // Debian installs sprig v3 at its GOPATH path
	"gopkg.in/yaml.v3"
)

// files is .Files: the chart's non-template files, read on demand; Glob returns a files of the matches, as helm's does.
type files map[string]string

func (f files) Get(name string) string { return f[name] }

func (f files) Glob(pattern string) files {
	matched := files{}
	for name, content := range f {
		if ok, _ := path.Match(pattern, name); ok {
			matched[name] = content
		}
	}
	return matched
}

func main() {
	if len(os.Args) < 4 {
		fmt.Fprintln(os.Stderr, "usage: chart-renderer <chart-dir> <release> <namespace> [values-file...]")
		os.Exit(2)
	}
	if err := render(os.Args[1], os.Args[2], os.Args[3], os.Args[4:]); err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
}

func render(chartDir, release, namespace string, valueFiles []string) error {
	chart := map[string]interface{}{}
	if err := readYaml(filepath.Join(chartDir, "Chart.yaml"), &chart); err != nil {
		return err
	}
	values := map[string]interface{}{}
	for _, file := range append([]string{filepath.Join(chartDir, "values.yaml")}, valueFiles...) {
		layer := map[string]interface{}{}
		if err := readYaml(file, &layer); err != nil {
			return err
		}
		merge(values, layer)
	}

	all := files{}
	templates := map[string]string{}
	err := filepath.Walk(chartDir, func(file string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		content, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		relative, _ := filepath.Rel(chartDir, file)
		relative = filepath.ToSlash(relative)
		if strings.HasPrefix(relative, "templates/") {
			templates[relative] = string(content)
		} else {
			all[relative] = string(content)
		}
		return nil
	})
	if err != nil {
		return err
	}

	// Helm names templates "<chart>/templates/x.yaml" and executes with missing keys as zero values.
	name, _ := chart["name"].(string)
	root := template.New(name).Option("missingkey=zero")
	funcs := sprig.TxtFuncMap()
	delete(funcs, "env")
	delete(funcs, "expandenv")
	funcs["include"] = func(name string, data interface{}) (string, error) {
		var out bytes.Buffer
		err := root.ExecuteTemplate(&out, name, data)
		return out.String(), err
	}
	funcs["tpl"] = func(text string, data interface{}) (string, error) {
		t, err := root.Clone()
		if err == nil {
			t, err = t.New("tpl").Parse(text)
		}
		var out bytes.Buffer
		if err == nil {
			err = t.Execute(&out, data)
		}
		return out.String(), err
	}
	funcs["required"] = func(message string, value interface{}) (interface{}, error) {
		if value == nil || value == "" {
			return nil, fmt.Errorf("%s", message)
		}
		return value, nil
	}
	funcs["toYaml"] = func(value interface{}) string {
		out, err := yaml.Marshal(value)
		if err != nil {
			return ""
		}
		return strings.TrimSuffix(string(out), "\n")
	}
	funcs["fromYaml"] = func(text string) map[string]interface{} {
		parsed := map[string]interface{}{}
		if err := yaml.Unmarshal([]byte(text), &parsed); err != nil {
			parsed["Error"] = err.Error()
		}
		return parsed
	}
	root.Funcs(funcs)

	names := make([]string, 0, len(templates))
	for relative := range templates {
		names = append(names, relative)
	}
	sort.Strings(names)
	for _, relative := range names {
		if _, err := root.New(name + "/" + relative).Parse(templates[relative]); err != nil {
			return err
		}
	}

	data := map[string]interface{}{
		"Values":  values,
		"Chart":   map[string]interface{}{"Name": chart["name"], "Version": chart["version"], "AppVersion": chart["appVersion"]},
		"Release": map[string]interface{}{"Name": release, "Namespace": namespace, "Service": "Helm", "IsInstall": true, "IsUpgrade": false, "Revision": 1},
		"Files":   all,
	}
	for _, relative := range names {
		base := path.Base(relative)
		if strings.HasPrefix(base, "_") || !(strings.HasSuffix(base, ".yaml") || strings.HasSuffix(base, ".yml")) {
			continue
		}
		var out bytes.Buffer
		templateData := map[string]interface{}{}
		for key, value := range data {
			templateData[key] = value
		}
		templateData["Template"] = map[string]interface{}{"Name": name + "/" + relative, "BasePath": name + "/templates"}
		if err := root.ExecuteTemplate(&out, name+"/"+relative, templateData); err != nil {
			return err
		}
		text := strings.ReplaceAll(out.String(), "<no value>", "")
		if strings.TrimSpace(text) == "" {
			continue
		}
		fmt.Printf("---\n# Source: %s/%s\n%s\n", name, relative, strings.TrimSpace(text))
	}
	return nil
}

func readYaml(file string, into *map[string]interface{}) error {
	content, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	return yaml.Unmarshal(content, into)
}

// merge lays an override over the values as helm does: maps merge key by key, anything else replaces.
func merge(into, override map[string]interface{}) {
	for key, value := range override {
		if child, ok := value.(map[string]interface{}); ok {
			if existing, ok := into[key].(map[string]interface{}); ok {
				merge(existing, child)
				continue
			}
		}
		into[key] = value
	}
}
