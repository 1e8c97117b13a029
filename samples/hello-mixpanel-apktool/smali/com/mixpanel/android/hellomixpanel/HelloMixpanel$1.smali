.class Lcom/mixpanel/android/hellomixpanel/HelloMixpanel$1;
.super Ljava/lang/Object;
.source "HelloMixpanel.java"

# interfaces
.implements Landroid/view/View$OnClickListener;


# annotations
.annotation system Ldalvik/annotation/EnclosingMethod;
    value = Lcom/mixpanel/android/hellomixpanel/HelloMixpanel;->onCreate(Landroid/os/Bundle;)V
.end annotation

.annotation system Ldalvik/annotation/InnerClass;
    accessFlags = 0x0
    name = null
.end annotation


# instance fields
.field final synthetic this$0:Lcom/mixpanel/android/hellomixpanel/HelloMixpanel;


# direct methods
.method constructor <init>(Lcom/mixpanel/android/hellomixpanel/HelloMixpanel;)V
    .locals 0

    .prologue
    .line 1
    iput-object p1, p0, Lcom/mixpanel/android/hellomixpanel/HelloMixpanel$1;->this$0:Lcom/mixpanel/android/hellomixpanel/HelloMixpanel;

    .line 28
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V

    return-void
.end method


# virtual methods
.method public onClick(Landroid/view/View;)V
    .locals 4
    .param p1, "arg0"    # Landroid/view/View;

    .prologue
    .line 31
    new-instance v0, Lorg/json/JSONObject;

    invoke-direct {v0}, Lorg/json/JSONObject;-><init>()V

    .line 33
    .local v0, "properties":Lorg/json/JSONObject;
    :try_start_0
    const-string v1, "gender"

    const-string v2, "male"

    invoke-virtual {v0, v1, v2}, Lorg/json/JSONObject;->put(Ljava/lang/String;Ljava/lang/Object;)Lorg/json/JSONObject;

    .line 34
    const-string v1, "age"

    const/16 v2, 0x18

    invoke-virtual {v0, v1, v2}, Lorg/json/JSONObject;->put(Ljava/lang/String;I)Lorg/json/JSONObject;

    .line 35
    const-string v1, "registered"

    const/4 v2, 0x1

    invoke-virtual {v0, v1, v2}, Lorg/json/JSONObject;->put(Ljava/lang/String;Z)Lorg/json/JSONObject;

    .line 36
    const-string v1, "some list"

    new-instance v2, Lorg/json/JSONArray;

    const-string v3, "[1,2,3,4,5]"

    invoke-direct {v2, v3}, Lorg/json/JSONArray;-><init>(Ljava/lang/String;)V

    invoke-virtual {v0, v1, v2}, Lorg/json/JSONObject;->put(Ljava/lang/String;Ljava/lang/Object;)Lorg/json/JSONObject;
    :try_end_0
    .catch Lorg/json/JSONException; {:try_start_0 .. :try_end_0} :catch_0

    .line 38
    :goto_0
    iget-object v1, p0, Lcom/mixpanel/android/hellomixpanel/HelloMixpanel$1;->this$0:Lcom/mixpanel/android/hellomixpanel/HelloMixpanel;

    iget-object v1, v1, Lcom/mixpanel/android/hellomixpanel/HelloMixpanel;->mMPMetrics:Lcom/mixpanel/android/mpmetrics/MPMetrics;

    const-string v2, "Button Clicked"

    invoke-virtual {v1, v2, v0}, Lcom/mixpanel/android/mpmetrics/MPMetrics;->track(Ljava/lang/String;Lorg/json/JSONObject;)V

    .line 39
    return-void

    .line 37
    :catch_0
    move-exception v1

    goto :goto_0
.end method
